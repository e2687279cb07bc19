// Backup and restore of the box, and configuration export/import. A backup holds the configuration kept
// in the store (settings and their history), the data key, the web admin's users and the API clients —
// the cache only when asked — encrypted with a passphrase the administrator chooses (scrypt, AES-256-GCM).
// A restore is checked, staged in the state folder and applied at the next start, before the store is
// opened (the data key changes with it); on a fresh box it is offered from the first-run setup.
#pragma once
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "admin/settings_routes.hpp"
#include "store/audit_log.hpp"
#include "store/settings.hpp"
#include "store/setup_code.hpp"
#include "store/store.hpp"
#include "store/users.hpp"

namespace kh::admin {

struct BackupParts {
    store::Store& store;
    store::Settings& settings;
    store::AuditLog& audit;
    store::Users& users;
    store::SetupCode& setupCode;
    std::string stateDir, keyDir;
    std::function<void()> restart;  // asks the gateway to stop and start again (systemd restarts it)
    ApplyNow applyNow = {};         // an imported value of a key that applies at once is put to use
};

std::vector<AdminRoute> backupRoutes(BackupParts parts);

// The configuration document {"format": "kakehashi-config-1", "exportedAt", "settings": {key: value}}: the
// keys of settingRules() set in the store and the home-reception URL. No secrets.
std::string exportConfiguration(store::Settings& settings);
// Checks every value of such a document first (all or nothing: KakehashiError(InvalidField) naming the
// first problem), then sets each value that differs, as `by`, so each lands in the history. Returns the
// keys changed. A key that applies at once is handed to `applyNow` (when given) before it is stored.
std::vector<std::string> importConfiguration(store::Settings& settings, const std::string& document,
                                             const std::string& by, const ApplyNow& applyNow = {});

}  // namespace kh::admin
