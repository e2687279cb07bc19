#include "admin/admin_server.hpp"

#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/URI.h>

#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "endpoint/http_api.hpp"
#include "endpoint/static_pages.hpp"
#include "model/errors.hpp"
#include "store/store.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using model::ErrorId;

const char* kCsp =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

struct Shared {
    std::vector<AdminRoute> routes;
    std::vector<std::vector<std::string>> patterns;
    std::vector<endpoint::Route> pages;  // static files
    std::vector<std::vector<std::string>> pagePatterns;
    store::Users& users;
    store::Sessions& sessions;
    size_t maxBody;
};

HttpReply refused(ErrorId id, const std::string& detail) { return endpoint::problemReply(id, detail); }

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(Shared& s) : s_(s) {}

    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
        AdminCall call;
        HttpReply reply;
        try {
            reply = handle(req, call);
        } catch (const std::exception& e) {
            log::error("admin.failed", {{"error", e.what()}});
            reply = refused(ErrorId::Internal, "");
        }
        send(res, reply);
    }

private:
    HttpReply handle(Poco::Net::HTTPServerRequest& req, AdminCall& call) {
        Poco::URI uri(req.getURI());
        auto& http = call.http;
        http.method = req.getMethod();
        http.path = uri.getPath();
        http.remoteAddress = req.clientAddress().host().toString();
        for (const auto& [k, v] : uri.getQueryParameters()) http.query[k] = v;
        for (const auto& [k, v] : req) {
            std::string name = k;
            for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
            http.headers[name] = v;
        }
        if (http.path == "/") return {302, "text/plain", "", {{"Location", "/admin/"}}};
        auto path = endpoint::pathSegments(http.path);
        bool api = path.size() >= 2 && path[0] == "admin" && path[1] == "api";
        if (!api) return page(path, call);
        bool pathKnown = false;
        const AdminRoute* route = find(path, call, pathKnown);
        if (!route) return refused(pathKnown ? ErrorId::MethodNotAllowed : ErrorId::NotFound, "");
        if (route->receive) return receive(req, *route, call);
        if (!endpoint::readBody(req.stream(), s_.maxBody, http.body)) return refused(ErrorId::TooLarge, "body over the limit");
        if (auto denied = authorise(req, *route, call)) return *denied;
        try {
            return route->handle(call);
        } catch (const model::KakehashiError& e) {
            return refused(e.id(), e.what());
        }
    }

    // A streamed body: nothing is read before the caller is known. A refusal may leave the body unread, so
    // the connection is closed after it rather than read as the next request.
    HttpReply receive(Poco::Net::HTTPServerRequest& req, const AdminRoute& route, AdminCall& call) {
        HttpReply reply;
        if (auto denied = authorise(req, route, call)) {
            reply = *denied;
        } else {
            try {
                reply = route.receive(call, req.stream());
            } catch (const model::KakehashiError& e) {
                reply = refused(e.id(), e.what());
            } catch (const std::exception& e) {
                log::error("admin.receive-failed", {{"error", e.what()}});
                reply = refused(ErrorId::Internal, "");
            }
        }
        if (reply.status >= 400) {
            // A small rest of the body is read away so that the client, still sending, sees the answer.
            char sink[65536];
            for (size_t drained = 0; drained < (1u << 20) && req.stream().read(sink, sizeof sink); drained += sizeof sink) {
            }
            reply.headers.emplace_back("Connection", "close");
        }
        return reply;
    }

    HttpReply page(const std::vector<std::string>& path, AdminCall& call) {
        if (call.http.method != "GET") return refused(ErrorId::MethodNotAllowed, "");
        for (size_t i = 0; i < s_.pages.size(); ++i) {
            std::map<std::string, std::string> params;
            if (!endpoint::matchSegments(s_.pagePatterns[i], path, params)) continue;
            call.http.params = std::move(params);
            return s_.pages[i].handle(call.http);
        }
        return refused(ErrorId::NotFound, "");
    }

    const AdminRoute* find(const std::vector<std::string>& path, AdminCall& call, bool& pathKnown) {
        for (size_t i = 0; i < s_.routes.size(); ++i) {
            std::map<std::string, std::string> params;
            if (!endpoint::matchSegments(s_.patterns[i], path, params)) continue;
            pathKnown = true;
            if (s_.routes[i].method != call.http.method) continue;
            call.http.params = std::move(params);
            return &s_.routes[i];
        }
        return nullptr;
    }

    // The session from the cookie; then the second factor, the role and the CSRF token, as the route says.
    std::optional<HttpReply> authorise(Poco::Net::HTTPServerRequest& req, const AdminRoute& route, AdminCall& call) {
        Poco::Net::NameValueCollection cookies;
        req.getCookies(cookies);
        call.sessionToken = cookies.get(kSessionCookie, "");
        if (!call.sessionToken.empty()) {
            call.session = s_.sessions.touch(call.sessionToken, store::nowSeconds());
            if (call.session) call.user = s_.users.get(call.session->userId);
            if (call.user && call.user->disabled) call.user.reset();
            if (!call.user) call.session.reset();
        }
        if (route.permission == Permission::Public) return std::nullopt;
        if (!call.session) return refused(ErrorId::Unauthorized, "ログインしてください (sign in first)");
        if (needsCsrf(route)) {
            auto it = call.http.headers.find(kCsrfHeader);
            if (it == call.http.headers.end() || !crypto::constantTimeEqual(it->second, call.session->csrfToken))
                return refused(ErrorId::Forbidden, "CSRFトークンがありません (missing or wrong CSRF token)");
        }
        if (route.permission == Permission::SignedIn) return std::nullopt;
        if (!call.session->secondFactorPassed)
            return refused(ErrorId::Forbidden, "二要素認証を完了してください (second factor required)");
        if (!roleHas(call.user->role, route.permission))
            return refused(ErrorId::Forbidden, std::string("この操作の権限がありません (needs ") + permissionName(route.permission) + ")");
        return std::nullopt;
    }

    // The admin's own headers first; the reply's (a page's CSP, a cookie) may add to them or replace them.
    void send(Poco::Net::HTTPServerResponse& res, const HttpReply& reply) {
        res.set("X-Frame-Options", "DENY");
        res.set("Referrer-Policy", "no-referrer");
        res.set("Strict-Transport-Security", "max-age=31536000");
        res.set("Content-Security-Policy", kCsp);
        endpoint::sendReply(res, reply);
    }

    Shared& s_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(*s_);
    }

private:
    std::shared_ptr<Shared> s_;
};

}  // namespace

std::string sessionCookie(const std::string& token, int maxAgeSeconds) {
    return std::string(kSessionCookie) + "=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
           std::to_string(maxAgeSeconds);
}

AdminServer::AdminServer(endpoint::HttpServerSettings settings, std::string webAdminRoot, std::vector<AdminRoute> routes,
                         store::Users& users, store::Sessions& sessions) {
    auto shared = std::make_shared<Shared>(Shared{std::move(routes), {}, {}, {}, users, sessions, settings.maxBodyBytes});
    for (const auto& r : shared->routes) shared->patterns.push_back(endpoint::pathSegments(r.pattern));
    shared->pages = endpoint::staticPageRoutes(webAdminRoot, {{"admin", "index.html"}});
    for (const auto& r : shared->pages) shared->pagePatterns.push_back(endpoint::pathSegments(r.pattern));
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(settings.threads);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(30, 0));
    // A connection opened but never used (browsers open spares) is dropped after this, so a stop that
    // waits for open connections never waits long.
    params->setTimeout(Poco::Timespan(10, 0));
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(shared), endpoint::listeningSocket(settings), params);
}

AdminServer::~AdminServer() { stop(); }
void AdminServer::start() { server_->start(); }
void AdminServer::stop() {
    if (server_) server_->stopAll(false);
}
unsigned short AdminServer::port() const { return server_->port(); }

}  // namespace kh::admin
