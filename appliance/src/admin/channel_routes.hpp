// The LAN channels in the web admin: the share folder and the listeners as they run (the file channel's
// settings are changed through the settings routes, the plugins' order on the plugins page), and the HTTP
// API's clients — a new client's token is shown once, only its hash is kept; a revoked token stops
// working at once.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "store/api_clients.hpp"
#include "store/audit_log.hpp"

namespace kh::admin {

struct ChannelFacts {
    bool fileDropEnabled = false;
    std::string shareRoot, httpListen;
    bool httpTls = false;
    std::function<std::vector<std::string>()> pluginOrder;  // as it runs now
};

std::vector<AdminRoute> channelRoutes(ChannelFacts facts, store::ApiClients& clients, store::AuditLog& audit);

}  // namespace kh::admin
