#include "admin/admin_server.hpp"

#include "crypto/primitives.hpp"
#include "http/problem.hpp"
#include "http/static_files.hpp"
#include "model/errors.hpp"
#include "store/store.hpp"

namespace kh::admin {
namespace {
using model::ErrorId;
using http::problemReply;

// What the access check learned, handed to the handler through Request::context.
struct Caller {
    std::string sessionToken;
    std::optional<store::AdminSession> session;
    std::optional<store::AdminUser> user;
};

// The session from the cookie; then the second factor, the role and the CSRF token, as the route says.
std::optional<http::Reply> authorise(const AdminRoute& route, http::Request& request, store::Users& users, store::Sessions& sessions) {
    Caller caller;
    caller.sessionToken = request.cookie(kSessionCookie);
    if (!caller.sessionToken.empty()) {
        caller.session = sessions.touch(caller.sessionToken, store::nowSeconds());
        if (caller.session) caller.user = users.get(caller.session->userId);
        if (caller.user && caller.user->disabled) caller.user.reset();
        if (!caller.user) caller.session.reset();
    }
    if (caller.user) request.caller = caller.user->username;
    bool signedIn = caller.session.has_value();
    auto session = caller.session;
    auto user = caller.user;
    request.context = std::move(caller);
    if (route.permission == Permission::Public) return std::nullopt;
    if (!signedIn) return problemReply(ErrorId::Unauthorized, "ログインしてください");
    if (needsCsrf(route)) {
        std::string token = request.header(kCsrfHeader);
        if (token.empty() || !crypto::constantTimeEqual(token, session->csrfToken))
            return problemReply(ErrorId::Forbidden, "CSRFトークンがありません。ページを読み込み直してください");
    }
    if (route.permission == Permission::SignedIn) return std::nullopt;
    if (!session->secondFactorPassed) return problemReply(ErrorId::Forbidden, "二要素認証を完了してください");
    if (!roleHas(user->role, route.permission)) return problemReply(ErrorId::Forbidden, "この操作の権限がありません");
    return std::nullopt;
}

AdminCall adminCall(http::Request& request) {
    AdminCall call;
    if (auto* caller = std::any_cast<Caller>(&request.context)) {
        call.sessionToken = caller->sessionToken;
        call.session = caller->session;
        call.user = caller->user;
    }
    call.http = std::move(request);
    return call;
}

http::Route toHttp(const AdminRoute& r, store::Users& users, store::Sessions& sessions) {
    http::Route h;
    h.method = r.method;
    h.pattern = r.pattern;
    h.bodyLimit = r.receive ? std::numeric_limits<size_t>::max() : r.bodyLimit;  // a stream's handler sets its own
    h.admit = [r, &users, &sessions](http::Request& request) { return authorise(r, request, users, sessions); };
    if (r.receive) {
        h.receive = [r](http::Request& request, std::istream& body) {
            auto call = adminCall(request);
            return r.receive(call, body);
        };
    } else {
        h.handle = [r](http::Request& request) {
            auto call = adminCall(request);
            return r.handle(call);
        };
    }
    return h;
}
}  // namespace

std::string sessionCookie(const std::string& token, int maxAgeSeconds) {
    return std::string(kSessionCookie) + "=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
           std::to_string(maxAgeSeconds);
}

AdminServer::AdminServer(http::ServerSettings settings, const std::string& webAdminRoot, const std::vector<AdminRoute>& routes,
                         store::Users& users, store::Sessions& sessions) {
    std::vector<http::Route> all;
    for (const auto& r : routes) all.push_back(toHttp(r, users, sessions));
    http::Route root;
    root.method = "GET";
    root.pattern = "/";
    root.inline_ = true;
    root.handle = [](http::Request&) { return http::Reply{302, "text/plain", "", {{"Location", "/admin/"}}}; };
    all.push_back(std::move(root));
    for (auto& r : http::staticPageRoutes(webAdminRoot, {{"admin", "index.html"}, {"admin/views", ""}})) all.push_back(std::move(r));
    settings.name = "admin";
    settings.replyHeaders = {{"X-Frame-Options", "DENY"},
                             {"Referrer-Policy", "no-referrer"},
                             {"Strict-Transport-Security", "max-age=31536000"},
                             {"Content-Security-Policy", http::kPagePolicy}};
    server_ = std::make_unique<http::Server>(std::move(settings), std::move(all));
}

}  // namespace kh::admin
