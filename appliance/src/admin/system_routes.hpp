// The web admin's 本機のシステム設定: the share's SMB accounts, the LAN address, the time sources, the LAN
// ranges the firewall lets in, and a reboot. The gateway only asks (services/system_setup.hpp); the image's
// root helper applies each at once and answers, and the page follows its answer. Administrators only; every
// request is audited, never with a password.
#pragma once
#include <vector>

#include "admin/admin_route.hpp"
#include "services/system_setup.hpp"
#include "store/audit_log.hpp"

namespace kh::admin {

std::vector<AdminRoute> systemRoutes(services::SystemSetup& setup, store::AuditLog& audit);

}  // namespace kh::admin
