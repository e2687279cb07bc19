// The web admin's firmware update: upload a signed bundle (streamed to /data), see the root updater's
// check, ask for the install into the other slot, and follow it through the reboot. Administrators only.
#pragma once
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "services/firmware_updates.hpp"
#include "store/audit_log.hpp"

namespace kh::admin {

std::vector<AdminRoute> firmwareRoutes(services::FirmwareUpdates& firmware, store::AuditLog& audit,
                                       std::string gatewayVersion);

}  // namespace kh::admin
