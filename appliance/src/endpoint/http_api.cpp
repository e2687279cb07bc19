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

const char* const kTicketSchema = R"({"type":"string","pattern":"^[0-9]{1,18}$"})";

// The problems an inquiry may end in once accepted: the central system unreachable (and nothing to
// answer from) or refusing the request.
const std::initializer_list<ErrorId> kUpstreamProblems = {ErrorId::UpstreamUnavailable, ErrorId::UpstreamRejected};

const std::pair<std::string, std::string> kTicketLocation =
    locationHeader("回答を取りに行く先 (GET /api/v1/eligibility/inquiries/{ticket})");

const Schema& statusSchema() {
    static const Schema s{"ServiceStatus", closedObject(R"("status":{"type":"string","enum":["ok","ready","starting"]})", R"("status")"), {}};
    return s;
}

const Schema& pluginListSchema() {
    static const Schema s{"PluginList", closedObject(R"("plugins":{"type":"array","items":)" + closedObject(R"(
        "id":{"type":"string"},"version":{"type":"string"},
        "name":{"type":"string","description":"plugin.json の name"},
        "description":{"type":"string","description":"plugin.json の description"},
        "state":{"type":"string","enum":["enabled","disabled","refused"]},
        "unsigned":{"type":"boolean","description":"署名を確認できないまま開発モードで有効"},
        "builtIn":{"type":"boolean","description":"本機に組み込みのアダプター（順番の外）"},
        "problem":{"type":"string","description":"読み込めない理由"},
        "channels":{"type":"array","items":)" + closedObject(R"("type":{"type":"string"},"folder":{"type":"string"},"route":{"type":"string"})") + "}",
        R"("id","version","state","channels")") + "}", R"("plugins")"), {}};
    return s;
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
    return Route{"POST", "/api/v1/eligibility/inquiries", "資格確認 (one eligibility inquiry): cache when fresh, else live",
            Access::ApiClient, nullptr, false, http::kSmallBody, [p](HttpCall& call) {
                auto q = decodeInquiryRequest(call.body);
                auto errors = model::validate(q);
                auto deadline = std::chrono::steady_clock::now() + p.eligibility.policy().liveWait;
                if (!errors.empty()) {
                    auto refused = problemReply(ErrorId::InvalidField, "", model::withJsonNames(errors));
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
            }}
        .with(ApiContract("postInquiry", "eligibility")
                  .takes(inquiryRequestSchema())
                  .gives(200, "回答（中央または本機の記録から） (the answer)", eligibilityAnswerSchema())
                  .gives(202, "中央に届かず後で回答します (queued: ask the ticket later)", queuedSchema(),
                         {"application/json"}, {kTicketLocation})
                  .refuses({ErrorId::EmptyRequest, ErrorId::MalformedJson, ErrorId::InvalidField})
                  .refuses(kUpstreamProblems));
}

Route getInquiry(HttpApiParts p) {
    return Route{"GET", "/api/v1/eligibility/inquiries/{ticket}", "The answer to a queued inquiry", Access::ApiClient,
            [p](HttpCall& call) {
                const auto& t = call.params["ticket"];
                if (t.empty() || t.size() > 18 || t.find_first_not_of("0123456789") != std::string::npos)
                    return problemReply(ErrorId::NotFound, "unknown ticket");
                return inquiryReply(p.eligibility.follow(std::stoll(t), {}));
            }}
        .with(ApiContract("getInquiry", "eligibility")
                  .path("ticket", "202 の ticket", kTicketSchema)
                  .gives(200, "回答 (the answer)", eligibilityAnswerSchema())
                  .gives(202, "まだ回答がありません (not answered yet)", queuedSchema(), {"application/json"}, {kTicketLocation})
                  .refuses({ErrorId::NotFound})
                  .refuses(kUpstreamProblems));
}

Route postBatch(HttpApiParts p) {
    return Route{"POST", "/api/v1/eligibility/batches", "一括照会 (batch inquiry): accepted durably, answered later",
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
            }}
        .with(ApiContract("postBatch", "eligibility")
                  .header("Idempotency-Key", "同じキーで送り直すと同じ受付を返します (resend without a second batch)",
                          R"({"type":"string","maxLength":128})")
                  .takes(batchRequestSchema())
                  .gives(202, "受け付けました。受付番号で結果を取りに来てください (accepted)", batchSchema(), {"application/json"},
                         {locationHeader("結果を取りに行く先 (GET /api/v1/eligibility/batches/{id})")})
                  .refuses({ErrorId::EmptyRequest, ErrorId::MalformedJson, ErrorId::InvalidField, ErrorId::TooManyEntries}));
}

Route getBatch(HttpApiParts p) {
    return Route{"GET", "/api/v1/eligibility/batches/{id}", "Status and, when done, the answers of a batch", Access::ApiClient,
            [p](HttpCall& call) {
                const auto& id = call.params["id"];
                if (!isReceptionNumber(id)) return problemReply(ErrorId::UnknownReception, "reception numbers are letters and digits");
                auto view = p.batches.view(id);
                if (!view) return problemReply(ErrorId::UnknownReception, "");
                return jsonReply(view->done ? 200 : 202, encodeBatch(*view));
            }}
        .with(ApiContract("getBatch", "eligibility")
                  .path("id", "受付番号 (reception number)", R"({"type":"string","pattern":"^[A-Za-z0-9]{1,32}$"})")
                  .gives(200, "完了：要求と同じ順の回答 (done: the answers in request order)", batchSchema())
                  .gives(202, "処理中 (processing)", batchSchema())
                  .refuses({ErrorId::UnknownReception}));
}

Route adapterRoute(HttpApiParts p) {
    return Route{"POST", "/api/v1/adapters/{id}/{route}", "A vendor dialect, through the adapter plugin {id}", Access::ApiClient,
            [p](HttpCall& call) { return p.plugins->handleHttp(call.params["id"], call.params["route"], call); }}
        .with(ApiContract("postAdapter", "adapters")
                  .path("id", "プラグインID（spec-xml は電文XMLをそのまま）", R"({"type":"string","minLength":1})")
                  .path("route", "プラグインが決める経路名", R"({"type":"string","minLength":1})")
                  .takes(textSchema(), {"*/*"})
                  .gives(200, "プラグインの回答（形式はプラグインが決めます） (the plugin's answer)", textSchema(), {"*/*"})
                  .refuses({ErrorId::NotFound, ErrorId::MalformedXml, ErrorId::ForbiddenDtd, ErrorId::BadEncoding,
                            ErrorId::InvalidField, ErrorId::PluginFailed, ErrorId::PluginTimeout, ErrorId::PluginMemory,
                            ErrorId::PluginRefused}));
}

Route pluginList(HttpApiParts p) {
    return Route{"GET", "/api/v1/plugins", "Adapter plugins: state and, when refused, why", Access::ApiClient, [p](HttpCall&) {
                return jsonReply(200, p.plugins->statusJson());
            }}
        .with(ApiContract("listPlugins", "adapters").gives(200, "プラグインの一覧", pluginListSchema()));
}

Route health() {
    return Route{"GET", "/healthz", "Liveness", Access::Public, [](HttpCall&) { return jsonReply(200, "{\"status\":\"ok\"}"); }}
        .with(ApiContract("getHealth", "service").gives(200, "動いています (alive)", statusSchema()));
}

Route readiness(HttpApiParts p) {
    return Route{"GET", "/readyz", "Readiness: store open and workers running", Access::Public, [p](HttpCall&) {
                return p.ready() ? jsonReply(200, "{\"status\":\"ready\"}") : jsonReply(503, "{\"status\":\"starting\"}");
            }}
        .with(ApiContract("getReadiness", "service")
                  .gives(200, "受け付けられます (ready)", statusSchema())
                  .gives(503, "起動中 (starting)", statusSchema()));
}

// Counts and states of the box, no patient data — still only for API clients: they tell an attacker
// what the box is doing.
Route metrics(HttpApiParts p) {
    return Route{"GET", "/metrics", "Prometheus metrics", Access::ApiClient, [p](HttpCall&) {
                return HttpReply{200, "text/plain; version=0.0.4", p.metrics.render(), {}};
            }}
        .with(ApiContract("getMetrics", "service").gives(200, "Prometheus text format 0.0.4", textSchema(), {"text/plain"}));
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
    if (parts.cardChecks && parts.staff)
        for (auto& r : staffSignInRoutes(*parts.staff)) routes.push_back(std::move(r));
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
    routes.push_back(Route{"GET", "/api/v1/openapi.json", "This API's OpenAPI document", Access::Public,
                           [doc](HttpCall&) { return jsonReply(200, *doc); }}
                         .with(ApiContract("getOpenApiDocument", "service")
                                   .gives(200, "この文書 (OpenAPI 3.0)", anyJsonSchema())));
    *doc = openApiDocument(routes, parts.version);
    return routes;
}

}  // namespace kh::endpoint
