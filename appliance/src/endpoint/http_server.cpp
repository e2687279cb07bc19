#include "endpoint/http_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <openssl/ssl.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

#include "crypto/primitives.hpp"
#include "endpoint/http_api.hpp"
#include "base/log.hpp"
#include "model/errors.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;

struct Shared {
    std::vector<Route> routes;
    std::vector<std::vector<std::string>> patterns;  // each route's pattern, cut once
    store::ApiClients& clients;
    store::Journal& journal;
    Metrics& metrics;
    size_t maxBody;
};


// A body that carries a PIN: one allocation made up front (so growing leaves no copy behind), a small
// limit, and the read buffer wiped.
constexpr size_t kSecretBodyMax = 256;
bool readSecretBody(std::istream& in, std::string& out) {
    out.reserve(kSecretBodyMax + 64);
    char buf[64];
    bool fits = true;
    while (in) {
        in.read(buf, sizeof buf);
        size_t n = size_t(in.gcount());
        if (out.size() + n > kSecretBodyMax) fits = false;
        else out.append(buf, n);
    }
    crypto::secureZero(buf, sizeof buf);
    return fits;
}

class ApiHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit ApiHandler(Shared& s) : s_(s) {}

    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
        HttpCall call;
        std::string routeName = "unmatched";
        HttpReply reply = handle(req, call, routeName);
        s_.metrics.countRequest(routeName, reply.status);
        sendReply(res, reply);
    }

private:
    HttpReply handle(Poco::Net::HTTPServerRequest& req, HttpCall& call, std::string& routeName) {
        try {
            Poco::URI uri(req.getURI());
            call.method = req.getMethod();
            call.path = uri.getPath();
            call.remoteAddress = req.clientAddress().host().toString();
            for (const auto& [k, v] : uri.getQueryParameters()) call.query[k] = v;
            for (const auto& [k, v] : req) {
                std::string name = k;
                for (auto& c : name) c = char(std::tolower(c));
                call.headers[name] = v;
            }
            const Route* route = find(call, routeName);
            if (!route) return routeName == "method" ? problemReply(ErrorId::MethodNotAllowed, "") : problemReply(ErrorId::NotFound, "");
            if (route->secretBody) {
                struct Wipe {
                    std::string& s;
                    ~Wipe() { crypto::secureZero(s); }
                } wipe{call.body};
                if (!readSecretBody(req.stream(), call.body)) return problemReply(ErrorId::TooLarge, "body over the limit");
                return runAuthenticated(*route, call, "[a PIN: not journalled]");
            }
            if (!readBody(req.stream(), s_.maxBody, call.body)) return problemReply(ErrorId::TooLarge, "body over the limit");
            if (route->access == Access::ApiClient) return runAuthenticated(*route, call, call.body);
            return run(*route, call);
        } catch (const std::exception& e) {
            log::error("http.failed", {{"path_route", routeName}, {"error", e.what()}});
            return problemReply(ErrorId::Internal, "");
        }
    }

    const Route* find(HttpCall& call, std::string& routeName) {
        bool pathKnown = false;
        auto path = pathSegments(call.path);
        for (size_t i = 0; i < s_.routes.size(); ++i) {
            const auto& r = s_.routes[i];
            std::map<std::string, std::string> params;
            if (!matchSegments(s_.patterns[i], path, params)) continue;
            pathKnown = true;
            if (r.method != call.method) continue;
            call.params = std::move(params);
            routeName = r.pattern;
            return &r;
        }
        if (pathKnown) routeName = "method";
        return nullptr;
    }

    std::optional<HttpReply> authenticate(HttpCall& call) {
        const std::string prefix = "Bearer ";
        auto it = call.headers.find("authorization");
        if (it == call.headers.end() || it->second.compare(0, prefix.size(), prefix) != 0) {
            auto r = problemReply(ErrorId::Unauthorized, "a bearer token is required");
            r.headers.push_back({"WWW-Authenticate", "Bearer"});
            return r;
        }
        auto token = s_.clients.check(it->second.substr(prefix.size()), store::nowSeconds());
        if (token.expired)
            return problemReply(ErrorId::Unauthorized,
                                "トークンの有効期限が切れています。再発行してください (the token has expired: issue a new one)");
        call.client = std::move(token.client);
        if (!call.client) return problemReply(ErrorId::Unauthorized, "unknown token");
        if (!addressAllowed(call.remoteAddress, call.client->allowCidrs))
            return problemReply(ErrorId::Forbidden, "this address is not allowed for the client");
        return std::nullopt;
    }

    HttpReply runAuthenticated(const Route& route, HttpCall& call, const std::string& journalled) {
        if (auto denied = authenticate(call)) return *denied;
        HttpReply reply = run(route, call);
        journal(call, route, journalled, reply);
        return reply;
    }

    HttpReply run(const Route& route, HttpCall& call) {
        try {
            return route.handle(call);
        } catch (const model::KakehashiError& e) {
            return problemReply(e.id(), e.what());
        }
    }

    void journal(const HttpCall& call, const Route& route, const std::string& request, const HttpReply& reply) {
        s_.journal.recordExchange("http", call.method + " " + route.pattern + " " + std::to_string(reply.status),
                                  crypto::uuid4(), request, reply.body);
    }

    Shared& s_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new ApiHandler(*s_);
    }

private:
    std::shared_ptr<Shared> s_;
};

}  // namespace

void sendReply(Poco::Net::HTTPServerResponse& res, const HttpReply& reply) {
    res.setStatusAndReason(Poco::Net::HTTPResponse::HTTPStatus(reply.status));
    res.setContentType(reply.contentType);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Cache-Control", "no-store");
    for (const auto& [k, v] : reply.headers) {
        if (k == "Set-Cookie") res.add(k, v);  // may repeat
        else res.set(k, v);
    }
    res.setContentLength(std::streamsize(reply.body.size()));
    res.send() << reply.body;
}

bool readBody(std::istream& in, size_t max, std::string& out) {
    char buf[65536];
    while (in) {
        in.read(buf, sizeof buf);
        out.append(buf, size_t(in.gcount()));
        if (out.size() > max) return false;
    }
    return true;
}

Poco::Net::ServerSocket listeningSocket(const HttpServerSettings& settings) {
    Poco::Net::SocketAddress address(settings.listen);
    if (settings.certFile.empty() || settings.keyFile.empty()) return Poco::Net::ServerSocket(address, 256);
    Poco::Net::Context::Params p;
    p.certificateFile = settings.certFile;
    p.privateKeyFile = settings.keyFile;
    p.verificationMode = Poco::Net::Context::VERIFY_NONE;
    p.loadDefaultCAs = false;
    p.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, p);
    SSL_CTX_set_min_proto_version(context->sslContext(), TLS1_2_VERSION);
    return Poco::Net::SecureServerSocket(address, 256, context);
}

namespace {

bool inCidr(const Poco::Net::IPAddress& addr, const std::string& cidr) {
    auto slash = cidr.find('/');
    Poco::Net::IPAddress net;
    if (!Poco::Net::IPAddress::tryParse(cidr.substr(0, slash), net) || net.family() != addr.family()) return false;
    unsigned bits = slash == std::string::npos ? unsigned(net.length() * 8) : unsigned(std::stoul(cidr.substr(slash + 1)));
    Poco::Net::IPAddress mask(bits, net.family());
    Poco::Net::IPAddress a = addr, n = net;
    a.mask(mask);
    n.mask(mask);
    return a == n;
}
}  // namespace

bool addressAllowed(const std::string& address, const std::vector<std::string>& cidrs) {
    if (cidrs.empty()) return true;
    Poco::Net::IPAddress addr;
    if (!Poco::Net::IPAddress::tryParse(address, addr)) return false;
    for (const auto& c : cidrs) {
        try {
            if (inCidr(addr, c)) return true;
        } catch (const std::exception&) {
        }
    }
    return false;
}

HttpServer::HttpServer(HttpServerSettings settings, std::vector<Route> routes, store::ApiClients& clients,
                       store::Journal& journal, Metrics& metrics) {
    std::vector<std::vector<std::string>> patterns;
    for (const auto& r : routes) patterns.push_back(pathSegments(r.pattern));
    auto shared = std::make_shared<Shared>(
        Shared{std::move(routes), std::move(patterns), clients, journal, metrics, settings.maxBodyBytes});
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(settings.threads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);  // unlimited: receipt computers keep one connection open
    params->setKeepAliveTimeout(Poco::Timespan(30, 0));
    // A connection opened but never used (browsers open spares) is dropped after this, so a stop that
    // waits for open connections never waits long.
    params->setTimeout(Poco::Timespan(10, 0));
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(shared), listeningSocket(settings), params);
}

HttpServer::~HttpServer() { stop(); }
void HttpServer::start() { server_->start(); }
void HttpServer::stop() {
    if (server_) server_->stopAll(false);
}
unsigned short HttpServer::port() const { return server_->port(); }

}  // namespace kh::endpoint
