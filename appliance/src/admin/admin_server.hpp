// The web admin's listener: the shared HTTP server (http/) over HTTPS only (the box's certificate, TLS
// 1.2 or newer), the pages of web-admin/ and the admin API. For every API call the route's access check
// reads the session cookie and checks the second factor, the role's permission and the CSRF token as the
// route table says — before any large body is read; handlers never check access themselves. Every
// answer carries strict security headers.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "http/server.hpp"
#include "store/sessions.hpp"
#include "store/users.hpp"

namespace kh::admin {

constexpr const char* kSessionCookie = "kakehashi_admin";
constexpr const char* kCsrfHeader = "x-csrf-token";

class AdminServer {
public:
    AdminServer(http::ServerSettings settings, const std::string& webAdminRoot, const std::vector<AdminRoute>& routes,
                store::Users& users, store::Sessions& sessions);
    void start() { server_->start(); }
    void stop() { server_->stop(); }
    unsigned short port() const { return server_->port(); }

private:
    std::unique_ptr<http::Server> server_;
};

// The Set-Cookie value of a session (Secure, HttpOnly, SameSite=Strict), or of its removal.
std::string sessionCookie(const std::string& token, int maxAgeSeconds);

}  // namespace kh::admin
