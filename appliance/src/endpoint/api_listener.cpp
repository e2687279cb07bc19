#include "endpoint/api_listener.hpp"

#include "crypto/primitives.hpp"
#include "model/address_range.hpp"
#include "http/static_files.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;

bool isLoopback(const std::string& address) {
    return address.compare(0, 4, "127.") == 0 || address == "::1" || address.compare(0, 11, "::ffff:127.") == 0;
}

// The bearer token of an API client, and the addresses it may call from.
std::optional<HttpReply> admitClient(store::ApiClients& clients, HttpCall& call) {
    const std::string prefix = "Bearer ";
    std::string authorization = call.header("authorization");
    if (authorization.compare(0, prefix.size(), prefix) != 0) {
        auto r = problemReply(ErrorId::Unauthorized, "Authorization: Bearer <トークン> を付けてください");
        r.headers.push_back({"WWW-Authenticate", "Bearer"});
        return r;
    }
    auto token = clients.check(authorization.substr(prefix.size()), store::nowSeconds());
    if (token.expired) return problemReply(ErrorId::Unauthorized, "トークンの有効期限が切れています。再発行してください");
    auto& client = token.client;
    if (!client) return problemReply(ErrorId::Unauthorized, "トークンが無効です");
    if (!model::addressInRanges(call.remoteAddress, client->allowCidrs))
        return problemReply(ErrorId::Forbidden, "このアドレスからの利用は許可されていません");
    call.caller = "api:" + client->name;
    return std::nullopt;
}

void journal(store::Journal& j, const HttpCall& call, const Route& route, const HttpReply& reply) {
    j.recordExchange("http", call.method + " " + route.pattern + " " + std::to_string(reply.status), crypto::uuid4(),
                     route.secretBody ? std::string("[a PIN: not journalled]") : call.body, reply.body);
}

http::Route toHttp(const Route& r, store::ApiClients& clients, store::Journal& j, bool overTls, StaffAccess* staff) {
    http::Route h;
    h.method = r.method;
    h.pattern = r.pattern;
    h.bodyLimit = r.bodyLimit;
    h.secretBody = r.secretBody;
    if (r.access != Access::Public) {
        Access access = r.access;
        h.admit = [&clients, secret = r.secretBody, overTls, access, staff](HttpCall& call) -> std::optional<HttpReply> {
            // A PIN crosses the LAN only inside TLS; plain HTTP is for the box itself (tests, tools).
            if (secret && !overTls && !isLoopback(call.remoteAddress))
                return problemReply(ErrorId::Forbidden, "暗証番号は HTTPS でのみ受け付けます");
            // A receipt computer's token first: it says who it is; a staff page sends no Authorization.
            if (access == Access::Staff && staff && call.header("authorization").empty()) {
                bool hasSession = false;
                auto refused = admitStaff(*staff, call, hasSession);
                if (hasSession) return refused;
            }
            return admitClient(clients, call);
        };
    } else if (r.secretBody) {
        h.admit = [overTls](HttpCall& call) -> std::optional<HttpReply> {
            if (!overTls && !isLoopback(call.remoteAddress))
                return problemReply(ErrorId::Forbidden, "パスワードは HTTPS でのみ受け付けます");
            return std::nullopt;
        };
    } else {
        h.inline_ = r.pattern == "/healthz" || r.pattern == "/readyz" || r.pattern == "/api/v1/openapi.json";
    }
    bool journalled = r.access != Access::Public;
    if (r.longPoll) {
        h.longPoll = [r, &j, journalled](HttpCall& call) {
            auto poll = r.longPoll(call);
            auto ready = std::move(poll.ready);
            poll.ready = [ready, &j, journalled, r, call](bool final) {
                auto reply = ready(final);
                if (reply && journalled) journal(j, call, r, *reply);
                return reply;
            };
            return poll;
        };
    } else {
        h.handle = [r, &j, journalled](HttpCall& call) {
            HttpReply reply;
            try {
                reply = r.handle(call);
            } catch (const model::KakehashiError& e) {
                reply = problemReply(e.id(), e.what());
            }
            if (journalled) journal(j, call, r, reply);
            return reply;
        };
    }
    return h;
}
}  // namespace

std::vector<http::Route> apiHttpRoutes(const std::vector<Route>& routes, store::ApiClients& clients, store::Journal& journal,
                                       bool overTls, StaffAccess* staff) {
    std::vector<http::Route> out;
    for (const auto& r : routes) out.push_back(toHttp(r, clients, journal, overTls, staff));
    return out;
}

std::unique_ptr<http::Server> apiListener(http::ServerSettings settings, const std::vector<Route>& routes,
                                          store::ApiClients& clients, store::Journal& journal, Metrics& metrics,
                                          const std::string& webAdminRoot, StaffAccess* staff) {
    bool overTls = !settings.certFile.empty() && !settings.keyFile.empty();
    auto all = apiHttpRoutes(routes, clients, journal, overTls, staff);
    if (!webAdminRoot.empty())
        for (auto& r : http::staticPageRoutes(webAdminRoot, {{"staff", "card-check.html"}})) all.push_back(std::move(r));
    settings.onReply = [&metrics](const std::string& route, int status) { metrics.countRequest(route, status); };
    return std::make_unique<http::Server>(std::move(settings), std::move(all));
}

}  // namespace kh::endpoint
