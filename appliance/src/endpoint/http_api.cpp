#include "endpoint/http_api.hpp"

#include <map>

#include "crypto/primitives.hpp"
#include "endpoint/home_consent_routes.hpp"
#include "endpoint/home_reception_routes.hpp"
#include "endpoint/json_answer.hpp"
#include "endpoint/visit_routes.hpp"
#include "endpoint/card_check_routes.hpp"
#include "endpoint/json_request.hpp"
#include "endpoint/reference_number_routes.hpp"
#include "model/errors.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;
using model::KakehashiError;


HttpReply inquiryReply(const services::InquiryOutcome& out) {
    using Kind = services::InquiryOutcome::Kind;
    if (out.kind == Kind::Answered) return jsonReply(200, encodeAnswer(*out.answer));
    if (out.kind == Kind::Queued) {
        auto r = jsonReply(202, encodeQueued(out.ticket, out.requestId));
        r.headers.push_back({"Location", "/api/v1/eligibility/inquiries/" + std::to_string(out.ticket)});
        return r;
    }
    return problemReply(out.error, out.detail);
}

bool isReceptionNumber(const std::string& s) {
    if (s.empty() || s.size() > 32) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    return true;
}

// A live check is waited for (up to liveWait) without holding a thread: the reply is made when the
// central system's answer is in, or at the deadline from the cache (stale) or as a ticket (202).
Route postInquiry(HttpApiParts p) {
    return {"POST", "/api/v1/eligibility/inquiries", "資格確認 (one eligibility inquiry): cache when fresh, else live",
            Access::ApiClient, nullptr, false, http::kSmallBody, [p](HttpCall& call) {
                auto q = decodeInquiryRequest(call.body);
                auto errors = model::validate(q);
                auto deadline = std::chrono::steady_clock::now() + p.eligibility.policy().liveWait;
                if (!errors.empty()) {
                    auto refused = problemReply(ErrorId::InvalidField, "", errors);
                    return http::LongPoll{nullptr, deadline, [refused](bool) { return std::optional<HttpReply>(refused); }};
                }
                auto first = p.eligibility.begin(q, "");
                if (first.kind != services::InquiryOutcome::Kind::Queued || first.ticket == 0)
                    return http::LongPoll{nullptr, deadline, [r = inquiryReply(first)](bool) { return std::optional<HttpReply>(r); }};
                return http::LongPoll{&p.eligibility.finished(), deadline,
                                      [p, q, ticket = first.ticket](bool final) -> std::optional<HttpReply> {
                                          auto out = p.eligibility.settle(ticket, q, final);
                                          if (!out) return std::nullopt;
                                          return inquiryReply(*out);
                                      }};
            }};
}

Route getInquiry(HttpApiParts p) {
    return {"GET", "/api/v1/eligibility/inquiries/{ticket}", "The answer to a queued inquiry", Access::ApiClient,
            [p](HttpCall& call) {
                const auto& t = call.params["ticket"];
                if (t.empty() || t.size() > 18 || t.find_first_not_of("0123456789") != std::string::npos)
                    return problemReply(ErrorId::NotFound, "unknown ticket");
                return inquiryReply(p.eligibility.follow(std::stoll(t), {}));
            }};
}

Route postBatch(HttpApiParts p) {
    return {"POST", "/api/v1/eligibility/batches", "一括照会 (batch inquiry): accepted durably, answered later",
            Access::ApiClient, [p](HttpCall& call) {
                auto req = decodeBatchRequest(call.body, 10000);
                // Idempotency-Key lets a client resend after a lost answer without making a second batch.
                std::string key = call.headers.count("idempotency-key") ? call.headers["idempotency-key"] : crypto::uuid4();
                if (key.size() > 128) return problemReply(ErrorId::InvalidField, "Idempotency-Key is too long");
                auto batch = p.batches.submit("http:" + clientOf(call) + ":" + key, req.fileIdentifier, req.entries);
                auto view = p.batches.view(batch.receptionNumber, false);
                auto r = jsonReply(202, encodeBatch(*view));
                r.headers.push_back({"Location", "/api/v1/eligibility/batches/" + batch.receptionNumber});
                return r;
            }};
}

Route getBatch(HttpApiParts p) {
    return {"GET", "/api/v1/eligibility/batches/{id}", "Status and, when done, the answers of a batch", Access::ApiClient,
            [p](HttpCall& call) {
                const auto& id = call.params["id"];
                if (!isReceptionNumber(id)) return problemReply(ErrorId::UnknownReception, "reception numbers are letters and digits");
                auto view = p.batches.view(id);
                if (!view) return problemReply(ErrorId::UnknownReception, "");
                return jsonReply(view->done ? 200 : 202, encodeBatch(*view));
            }};
}

Route adapterRoute(HttpApiParts p) {
    return {"POST", "/api/v1/adapters/{id}/{route}", "A vendor dialect, through the adapter plugin {id}", Access::ApiClient,
            [p](HttpCall& call) { return p.plugins->handleHttp(call.params["id"], call.params["route"], call); }};
}

Route pluginList(HttpApiParts p) {
    return {"GET", "/api/v1/plugins", "Adapter plugins: state and, when refused, why", Access::ApiClient, [p](HttpCall&) {
                return jsonReply(200, p.plugins->statusJson());
            }};
}

Route health() {
    return {"GET", "/healthz", "Liveness", Access::Public, [](HttpCall&) { return jsonReply(200, "{\"status\":\"ok\"}"); }};
}

Route readiness(HttpApiParts p) {
    return {"GET", "/readyz", "Readiness: store open and workers running", Access::Public, [p](HttpCall&) {
                return p.ready() ? jsonReply(200, "{\"status\":\"ready\"}") : jsonReply(503, "{\"status\":\"starting\"}");
            }};
}

// Counts and states of the box, no patient data — still only for API clients: they tell an attacker
// what the box is doing.
Route metrics(HttpApiParts p) {
    return {"GET", "/metrics", "Prometheus metrics", Access::ApiClient, [p](HttpCall&) {
                return HttpReply{200, "text/plain; version=0.0.4", p.metrics.render(), {}};
            }};
}
}  // namespace

std::vector<Route> buildApiRoutes(HttpApiParts parts) {
    std::vector<Route> routes = {postInquiry(parts), getInquiry(parts), postBatch(parts), getBatch(parts),
                                 health(), readiness(parts), metrics(parts)};
    if (parts.homeReception)
        for (auto& r : homeReceptionRoutes(*parts.homeReception)) routes.push_back(std::move(r));
    if (parts.homeConsent)
        for (auto& r : homeConsentRoutes(*parts.homeConsent)) routes.push_back(std::move(r));
    if (parts.visits)
        for (auto& r : visitRoutes(*parts.visits)) routes.push_back(std::move(r));
    if (parts.cardChecks)
        for (auto& r : cardCheckRoutes(*parts.cardChecks)) routes.push_back(std::move(r));
    if (parts.referenceNumbers)
        for (auto& r : referenceNumberRoutes(*parts.referenceNumbers)) routes.push_back(std::move(r));
    if (parts.plugins) {
        routes.push_back(adapterRoute(parts));
        routes.push_back(pluginList(parts));
    }
    // Each route takes the body it needs: an inquiry is a few hundred bytes, a 10,000-entry batch a few MB.
    const std::map<std::string, size_t> kLargeBodies = {
        {"/api/v1/eligibility/batches", 8u << 20},  {"/api/v1/visits", 4u << 20},
        {"/api/v1/reference-numbers", 4u << 20},     {"/api/v1/reference-numbers/import", 8u << 20},
        {"/api/v1/adapters/{id}/{route}", 8u << 20},
    };
    for (auto& r : routes)
        if (auto it = kLargeBodies.find(r.pattern); it != kLargeBodies.end() && r.method == "POST") r.bodyLimit = it->second;
    // The OpenAPI document is made from the table itself, so it cannot drift from the routes.
    auto doc = std::make_shared<std::string>();
    routes.push_back({"GET", "/api/v1/openapi.json", "This API's OpenAPI document", Access::Public,
                      [doc](HttpCall&) { return jsonReply(200, *doc); }});
    *doc = openApiDocument(routes, parts.version);
    return routes;
}

}  // namespace kh::endpoint
