#include "endpoint/visit_routes.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "base/json_writer.hpp"
#include "endpoint/http_api.hpp"
#include "endpoint/json_answer.hpp"
#include "endpoint/json_request.hpp"

namespace kh::endpoint {
using base::JsonWriter;
namespace {
using model::ErrorId;
using model::KakehashiError;

// {"visits": [{"visitDate": "YYYYMMDD", "kind": "...", <the inquiry fields>, "patientId": "..."}]}
std::vector<services::VisitRequest> decodeVisits(const std::string& body) {
    Poco::JSON::Object::Ptr root;
    try {
        root = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        throw KakehashiError(ErrorId::MalformedJson, "body must be a JSON object with visits");
    }
    auto list = root->getArray("visits");
    if (!list) throw KakehashiError(ErrorId::InvalidField, "visits must be an array");
    if (list->size() > 10000) throw KakehashiError(ErrorId::TooManyEntries, "at most 10000 visits");
    std::vector<services::VisitRequest> out;
    for (size_t i = 0; i < list->size(); ++i) {
        auto o = list->getObject(unsigned(i));
        if (!o) throw KakehashiError(ErrorId::InvalidField, "visits[" + std::to_string(i) + "] must be an object");
        std::ostringstream one;
        o->stringify(one);
        services::VisitRequest v;
        v.inquiry = decodeInquiryRequest(one.str());
        v.visitDate = o->optValue<std::string>("visitDate", "");
        v.kind = o->optValue<std::string>("kind", "");
        if (o->has("patientId")) v.inquiry.arbitraryIdentifier = o->optValue<std::string>("patientId", "");
        out.push_back(std::move(v));
    }
    return out;
}

const Schema& visitsRequestSchema() {
    static const Schema s{"VisitsRequest", R"({"type":"object","required":["visits"],"properties":{
        "visits":{"type":"array","maxItems":10000,"items":{"type":"object",
            "required":["visitDate","kind","insurerNumber","cardNumber","birthDate"],"properties":{
            "visitDate":{"type":"string","description":"訪問日 YYYYMMDD（今日以降）"},
            "kind":{"type":"string","enum":["online-consultation","online-medication-guidance","home-visit"]},
            "patientId":{"type":"string","description":"患者ID（回答の arbitraryIdentifier になります）"},)" +
                              inquiryProperties() + "}}}}}",
                          {}};
    return s;
}

// What visitsReply writes.
const Schema& visitsSchema() {
    static const Schema s{"Visits", closedObject(R"("visits":{"type":"array","items":)" + closedObject(R"(
        "id":{"type":"integer","format":"int64"},
        "visitDate":{"type":"string"},
        "kind":{"type":"string","enum":["online-consultation","online-medication-guidance","home-visit"]},
        "patientId":{"type":"string"},
        "consent":{"type":"string","enum":["in-window","no-consent","after-consent-window"],
                   "description":"訪問日が同意の有効期間内か"},
        "flagged":{"type":"boolean","description":"同意の期間外：訪問前に確認が要ります"},
        "answer":)" + refTo(eligibilityAnswerSchema()),
        R"("id","visitDate","kind","consent","flagged")") + "}", R"("visits")"), {&eligibilityAnswerSchema()}};
    return s;
}

const Schema& visitBatchSchema() {
    static const Schema s{"VisitBatch", closedObject(R"("receptionNumber":{"type":"string","description":"一括照会の受付番号"})",
                                                     R"("receptionNumber")"), {}};
    return s;
}

const char* const kDateSchema = R"({"type":"string","pattern":"^[0-9]{8}$"})";

HttpReply visitsReply(int status, const std::vector<services::VisitView>& views) {
    JsonWriter w;
    w.beginObject().beginArray("visits");
    for (const auto& v : views) {
        w.beginObject()
            .field("id", v.id)
            .field("visitDate", v.visit.visitDate)
            .field("kind", v.visit.kind)
            .fieldIfSet("patientId", v.visit.inquiry.arbitraryIdentifier)
            .field("consent", v.consent)
            .field("flagged", v.consent != "in-window");
        if (v.eligibility) {
            w.object("answer");
            writeResultFields(w, v.eligibility->result);
            w.field("source", "cache")
                .field("stale", v.eligibility->stale)
                .field("confirmedAt", model::japanIso8601(model::fromUnixSeconds(v.eligibility->confirmedAt)))
                .endObject();
        }
        w.endObject();
    }
    w.endArray().endObject();
    return {status, "application/json", w.take(), {}};
}
}  // namespace

std::vector<Route> visitRoutes(services::VisitService& s) {
    return {
        Route{"POST", "/api/v1/visits", "Register planned visits (all or nothing); each is checked against the consent window",
         Access::ApiClient, [&s](HttpCall& call) { return visitsReply(201, s.registerVisits(decodeVisits(call.body))); }}
            .with(ApiContract("postVisits", "visits")
                      .takes(visitsRequestSchema())
                      .gives(201, "登録しました (registered)", visitsSchema())
                      .refuses({ErrorId::MalformedJson, ErrorId::InvalidField, ErrorId::TooManyEntries, ErrorId::DuplicateVisit})),
        Route{"GET", "/api/v1/visits", "A day's visits (?date=YYYYMMDD) with flags and, once prepared, their answers",
         Access::ApiClient, [&s](HttpCall& call) { return visitsReply(200, s.onDate(call.query["date"])); }}
            .with(ApiContract("listVisits", "visits")
                      .query("date", "訪問日 YYYYMMDD", kDateSchema, true)
                      .gives(200, "その日の訪問 (the day's visits)", visitsSchema())
                      .refuses({ErrorId::InvalidField})),
        Route{"POST", "/api/v1/visits/{date}/batch", "Send the day's batch now (it also goes out by itself on schedule)",
         Access::ApiClient, [&s](HttpCall& call) {
             std::string reception = s.prepareDay(call.params["date"], "manual");
             if (reception.empty()) return problemReply(ErrorId::NotFound, "no visits on that day");
             return HttpReply{202, "application/json", "{\"receptionNumber\":\"" + reception + "\"}", {}};
         }}
            .with(ApiContract("sendVisitBatch", "visits")
                      .path("date", "訪問日 YYYYMMDD", kDateSchema)
                      .gives(202, "一括照会を受け付けました (GET /api/v1/eligibility/batches/{id} で結果)", visitBatchSchema())
                      .refuses({ErrorId::NotFound})),
    };
}

}  // namespace kh::endpoint
