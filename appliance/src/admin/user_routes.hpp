// Users and roles (administrator, operator, auditor): list (with each account's sign-in failures and the
// addresses it is locked out from: only administrators see these), add, change role or password, disable,
// unlock after a lockout, reset a lost second factor. Every change is in the audit log.
#pragma once
#include <vector>

#include "admin/admin_route.hpp"
#include "store/audit_log.hpp"
#include "store/sessions.hpp"
#include "store/users.hpp"

namespace kh::admin {
std::vector<AdminRoute> userRoutes(store::Users& users, store::Sessions& sessions, store::AuditLog& audit);
}  // namespace kh::admin
