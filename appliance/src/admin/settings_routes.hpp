// Settings IT staff change in the web admin. Each key has its validation; every change is kept in the
// store's history with who and when, and audited. Some apply at once (the facility name on the poster);
// the others at the next start, and the list says which are waiting for one.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "store/audit_log.hpp"
#include "store/settings.hpp"

namespace kh::admin {

struct SettingRule {
    std::string key;
    bool appliesNow;  // false: at the next start
    // The problem with a value, "" when acceptable (Japanese first).
    std::string (*problem)(const std::string& value);
};
const std::vector<SettingRule>& settingRules();

// The keys whose stored value differs from the one running: they wait for the next start.
std::vector<std::string> waitingForRestart(store::Settings& settings, const std::map<std::string, std::string>& running);

// Puts a checked value of a key that applies at once to use (plugins.order: the registry's order)
// before it is stored; throws model::KakehashiError when the box cannot take it.
using ApplyNow = std::function<void(const std::string& key, const std::string& value)>;

// `running`: each key's value in effect now (from the configuration file or the store at start).
std::vector<AdminRoute> settingsRoutes(store::Settings& settings, store::AuditLog& audit,
                                       std::map<std::string, std::string> running, ApplyNow applyNow = {});

}  // namespace kh::admin
