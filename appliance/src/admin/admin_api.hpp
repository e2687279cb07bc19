// The admin API's whole route table, from the parts of the running gateway. The table lists itself
// (GET /admin/api/routes), so tests and documentation see every route with its permission.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "admin/auth_routes.hpp"
#include "admin/dashboard_routes.hpp"
#include "admin/pending_changes.hpp"
#include "admin/settings_routes.hpp"
#include "endpoint/plugin_channel.hpp"
#include "plugins/registry.hpp"
#include "services/card_check_service.hpp"
#include "services/home_reception.hpp"
#include "store/settings.hpp"

namespace kh::admin {

struct AdminParts {
    AuthParts auth;
    store::Settings& settings;
    std::map<std::string, std::string> runningSettings;
    DashboardFacts dashboard;
    services::HomeReceptionService* homeReception = nullptr;
    plugins::PluginRegistry* plugins = nullptr;
    endpoint::PluginChannel* pluginChannel = nullptr;
    services::CardCheckService* cardChecks = nullptr;
    PendingChanges* pendingChanges = nullptr;
    const store::DataKey* dataKey = nullptr;  // seals plugin settings (they may hold secrets) in the store
    std::vector<AdminRoute> more;  // routes built with parts of their own (certificates, backup)
    ApplyNow applyNow = {};        // puts a changed setting that applies at once to use (plugins.order)
};

std::vector<AdminRoute> buildAdminRoutes(AdminParts parts);

}  // namespace kh::admin
