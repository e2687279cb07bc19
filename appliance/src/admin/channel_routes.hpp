// The LAN channels in the web admin: the share folders and listeners as configured (read only: they are
// boot configuration), and the HTTP API's clients — a new client's token is shown once, only its hash
// is kept; a revoked token stops working at once.
#pragma once
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
    std::vector<std::string> pluginOrder;
};

std::vector<AdminRoute> channelRoutes(ChannelFacts facts, store::ApiClients& clients, store::AuditLog& audit);

}  // namespace kh::admin
