// The web admin's server: HTTPS only (the box's certificate, TLS 1.2 or newer), the static pages of
// web-admin/ and the admin API. For every API call it finds the route, reads the session cookie, checks
// the second factor, the role's permission and the CSRF token as the route table says, and answers
// with strict security headers. Handlers never check access themselves.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "endpoint/http_server.hpp"
#include "store/sessions.hpp"
#include "store/users.hpp"

namespace Poco::Net {
class HTTPServer;
}

namespace kh::admin {

constexpr const char* kSessionCookie = "kakehashi_admin";
constexpr const char* kCsrfHeader = "x-csrf-token";

class AdminServer {
public:
    AdminServer(endpoint::HttpServerSettings settings, std::string webAdminRoot, std::vector<AdminRoute> routes,
                store::Users& users, store::Sessions& sessions);
    ~AdminServer();
    void start();
    void stop();
    unsigned short port() const;

private:
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// The Set-Cookie value of a session (Secure, HttpOnly, SameSite=Strict), or of its removal.
std::string sessionCookie(const std::string& token, int maxAgeSeconds);

}  // namespace kh::admin
