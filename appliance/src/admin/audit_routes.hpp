// The audit log in the web admin: rows with filters, the hash chain verified on demand, and a CSV
// export (UTF-8 with BOM, so spreadsheet software opens the Japanese text as it is).
#pragma once
#include <vector>

#include "admin/admin_route.hpp"
#include "store/audit_log.hpp"

namespace kh::admin {
std::vector<AdminRoute> auditRoutes(store::AuditLog& audit);
// One CSV field: quoted, with quotes doubled; a leading = + - @ is neutralised (spreadsheet formulas).
std::string csvField(const std::string& value);
}  // namespace kh::admin
