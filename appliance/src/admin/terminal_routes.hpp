// The web admin's part for upstream profile "terminal" (the clinic's existing 資格確認端末): the share's
// password, sealed in the store with the data key and never shown again, and a connection test that reaches
// the share with what is entered (or stored) and lists its req/ res/ face/ folders, saying in Japanese what
// is wrong. The other terminal settings (profile, share, account, pace) are ordinary settings
// (settings_routes) and apply at the next start, as the password does.
#pragma once
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "store/audit_log.hpp"
#include "store/data_key.hpp"
#include "store/settings.hpp"
#include "upstream/terminal_settings.hpp"

namespace kh::admin {

struct TerminalParts {
    store::Settings& settings;
    const store::DataKey& key;
    store::AuditLog& audit;
    upstream::TerminalSettings running;  // as the configuration file and the stored settings give them at start
};

std::vector<AdminRoute> terminalRoutes(TerminalParts parts);

// The stored password, opened with the data key; empty when none was set in the web admin.
std::string storedTerminalPassword(store::Settings& settings, const store::DataKey& key);

}  // namespace kh::admin
