// Signing in to the web admin: the first-run setup (one-time setup code from the console → the first
// administrator), password login with a lockout per account and address and a throttle per address, the
// TOTP second factor (RFC 6238) with enrolment by QR code and one-time recovery codes, who am I (with the
// CSRF token for the page), and sign-out. Nothing here tells a caller whether a name is an account.
#pragma once
#include <vector>

#include "admin/admin_route.hpp"
#include "base/json_writer.hpp"
#include "store/audit_log.hpp"
#include "store/sessions.hpp"
#include "store/setup_code.hpp"
#include "store/sign_in_throttle.hpp"
#include "store/users.hpp"

namespace kh::admin {

struct AuthParts {
    store::Users& users;
    store::Sessions& sessions;
    store::SetupCode& setupCode;
    store::AuditLog& audit;
    store::SignInThrottle& throttle;  // password, second factor and setup code tries, per address
    int sessionSeconds = 8 * 3600;
};

std::vector<AdminRoute> authRoutes(AuthParts parts);

// {"id","username","displayName","role","totpEnabled","disabled","createdAt","createdBy"}: the account
// itself, never its failures or locks (those are for administrators: user_routes).
void writeUser(base::JsonWriter& w, const store::AdminUser& u);

}  // namespace kh::admin
