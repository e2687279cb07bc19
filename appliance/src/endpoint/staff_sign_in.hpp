// Staff on the staff page (home visits) sign in with their own user account — the web admin's accounts,
// role operator or administrator, password and second factor — and stay signed in on that tablet for a
// shift: a cookie (HttpOnly, Secure, SameSite=Strict) for a session of their own, with a CSRF token for every
// change. The card-check and reader routes then take the staff member from the account, so the audit log
// names a person, not a free-text field; receipt computers go on with their API tokens.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "endpoint/routes.hpp"
#include "store/audit_log.hpp"
#include "store/sessions.hpp"
#include "store/sign_in_throttle.hpp"
#include "store/users.hpp"

namespace kh::endpoint {

struct StaffAccess {
    store::Users& users;
    store::Sessions& sessions;  // its own instance: a shift's idle time and length, not the web admin's
    store::SignInThrottle& throttle;
    store::AuditLog& audit;
    int shiftSeconds = 10 * 3600;
};

// A staff member let in by the access check: call.context holds this.
struct StaffMember {
    int64_t userId = 0;
    std::string username, displayName;
};

// POST /api/v1/staff/sign-in, GET /api/v1/staff/me, POST /api/v1/staff/sign-out.
std::vector<Route> staffSignInRoutes(StaffAccess& access);

// The access check of a route staff may use: a staff session cookie (and, for anything but GET, its CSRF
// token in X-CSRF-Token); nullopt when let in (call.caller "staff:<username>", call.context a StaffMember).
// `hasSession` is false when the call carries no staff cookie: the caller then tries the API token.
std::optional<HttpReply> admitStaff(StaffAccess& access, HttpCall& call, bool& hasSession);

// The staff member of a call the access check let in as staff; nullptr for an API client.
const StaffMember* staffOf(const HttpCall& call);

}  // namespace kh::endpoint
