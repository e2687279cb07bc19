// The admin API's route table: each route is declared once with its method, path, summary and the
// permission it needs; the server derives authentication, the CSRF check and the route listing from it
// (so a new route cannot be left unprotected by forgetting a check in its handler).
#pragma once
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "endpoint/routes.hpp"
#include "http/route.hpp"
#include "store/sessions.hpp"
#include "store/users.hpp"

namespace kh::admin {

enum class Permission {
    Public,          // no session: setup status, first-run setup, login
    SignedIn,        // a session, even before the second factor: who am I, 2FA, logout
    ViewDashboard,   // every role
    RunCardChecks,   // operators (reception, home-visit staff) and administrators
    ViewAudit,       // auditors and administrators
    ManageUsers,     // administrators
    ManageSettings,  // administrators
};
const char* permissionName(Permission p);
bool roleHas(store::Role role, Permission p);

struct AdminCall {
    endpoint::HttpCall http;
    std::string sessionToken;                // from the cookie, when any
    std::optional<store::AdminSession> session;
    std::optional<store::AdminUser> user;
    std::string actor() const { return user ? user->username : "anonymous"; }
};

struct AdminRoute {
    std::string method;
    std::string pattern;  // "/admin/api/users/{id}"
    std::string summary;
    Permission permission;
    std::function<endpoint::HttpReply(AdminCall&)> handle;
    // Set instead of `handle` for a body too large to hold in memory (a firmware bundle): the session,
    // role and CSRF token are checked before a byte of it is read, then the handler reads the stream.
    std::function<endpoint::HttpReply(AdminCall&, std::istream& body)> receive = nullptr;
    size_t bodyLimit = http::kSmallBody;  // checked against Content-Length before a byte is read
};

// Every state-changing method of a non-public route must carry the session's CSRF token.
inline bool needsCsrf(const AdminRoute& r) {
    return r.permission != Permission::Public && r.method != "GET" && r.method != "HEAD";
}

}  // namespace kh::admin
