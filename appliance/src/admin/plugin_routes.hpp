// Adapter plugins in the web admin: state (and why a plugin was refused), enable, disable, move in the
// order, reload, and
// the plugin's settings as a form made from its own schema. Settings are checked against the schema
// before the plugin runs with them, kept in the store sealed with the data key (they may hold secrets),
// and a secret ("secret": true) is never shown again: leaving it out of a change keeps it.
#pragma once
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "endpoint/plugin_channel.hpp"
#include "plugins/registry.hpp"
#include "store/audit_log.hpp"
#include "store/data_key.hpp"
#include "store/settings.hpp"

namespace kh::admin {

struct PluginParts {
    plugins::PluginRegistry& registry;
    endpoint::PluginChannel& channel;
    store::Settings& settings;
    const store::DataKey& key;
    store::AuditLog& audit;
};

// Enabling, disabling and moving a plugin change the registry at once and keep the new order in the
// store as the setting plugins.order, which counts over the configuration file's at the next start.
std::vector<AdminRoute> pluginRoutes(PluginParts parts);

// A plugins.order set on the settings page (or imported): bound at once, each plugin in it enabled.
void applyPluginOrder(plugins::PluginRegistry& registry, const std::string& orderText);

// The settings stored for a plugin by the web admin (opened), or "" when there are none. The gateway
// lays them over the configuration file's at start.
std::string storedPluginSettings(store::Settings& settings, const store::DataKey& key, const std::string& id);

}  // namespace kh::admin
