#include "endpoint/home_consent_routes.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "base/json_writer.hpp"
#include "endpoint/http_api.hpp"
#include "endpoint/json_answer.hpp"

namespace kh::endpoint {
using base::JsonWriter;
namespace {
using model::ConsentScope;
using model::ErrorId;
using model::KakehashiError;

void writeConsent(JsonWriter& w, const model::ConsentBlock& b) {
    w.object("consent");
    for (auto scope : {ConsentScope::Medication, ConsentScope::Clinical, ConsentScope::Checkup}) {
        const auto& c = model::consentFor(b, scope);
        w.object(model::consentScopeName(scope))
            .field("consented", c.flag == "1")
            .fieldIfSet("consentedAt", c.consTime)
            .fieldIfSet("availableUntil", c.availableTime)
            .endObject();
    }
    w.endObject();
}

// What list writes: one patient's consent with the qualification it came with.
const Schema& consentedPatientsSchema() {
    static const std::string scope = closedObject(R"(
        "consented":{"type":"boolean"},
        "consentedAt":{"type":"string","description":"同意日時（中央の値のまま）"},
        "availableUntil":{"type":"string","description":"閲覧可能期限（中央の値のまま）"})", R"("consented")");
    static const Schema s{"ConsentedPatients", closedObject(R"("patients":{"type":"array","items":)" + closedObject(R"(
        "medicalTreatmentFlag":{"type":"string","description":"診療区分（2 訪問診療 / 3 オンライン診療など）"},
        "examinationDate":{"type":"string","description":"診療日 YYYYMMDD"},
        "availableUntil":{"type":"string","format":"date-time"},
        "fetchedAt":{"type":"string","format":"date-time"},)" + resultProperties() + R"(,
        "consent":)" + closedObject(R"("medication":)" + scope + R"(,"clinical":)" + scope + R"(,"checkup":)" + scope),
        R"("medicalTreatmentFlag","examinationDate","availableUntil","fetchedAt","status","processingResult")") + "}",
        R"("patients")"), {&eligibilityRecordSchema()}};
    return s;
}

const Schema& refreshCountsSchema() {
    static const Schema s{"ConsentRefresh", closedObject(R"("consents":{"type":"integer"},"withdrawals":{"type":"integer"})",
                                                         R"("consents","withdrawals")"), {}};
    return s;
}

// What medicalRequest reads.
const Schema& medicalInfoRequestSchema() {
    static const Schema s{"MedicalInfoRequest", R"({"type":"object","required":["insurerNumber","cardNumber","branchNumber","birthDate"],
        "properties":{
        "insurerNumber":{"type":"string"},"cardSymbol":{"type":"string"},"cardNumber":{"type":"string"},
        "branchNumber":{"type":"string","description":"枝番（必須、数字2桁）"},
        "birthDate":{"type":"string","description":"生年月日 YYYYMMDD"},
        "fileCategory":{"type":"string","enum":["xml","pdf"],"description":"既定は xml"},
        "startDate":{"type":"string","description":"開始年月 YYYYMM"},
        "endDate":{"type":"string","description":"終了年月 YYYYMM"}}})", {}};
    return s;
}

HttpReply list(services::HomeConsentService& s, HttpCall& call) {
    JsonWriter w;
    w.beginObject().beginArray("patients");
    for (const auto& p : s.list(call.query.count("since") ? call.query["since"] : "")) {
        w.beginObject()
            .field("medicalTreatmentFlag", p.unit.medicalTreatmentFlag)
            .field("examinationDate", p.unit.examinationDate)
            .field("availableUntil", model::japanIso8601(model::fromUnixSeconds(p.availableUntil)))
            .field("fetchedAt", model::japanIso8601(model::fromUnixSeconds(p.fetchedAt)));
        writeResultFields(w, p.unit);
        if (const auto* record = p.unit.primary(); record && record->consent) writeConsent(w, *record->consent);
        w.endObject();
    }
    w.endArray().endObject();
    return {200, "application/json", w.take(), {}};
}

std::string text(const Poco::JSON::Object::Ptr& o, const char* key, bool required) {
    if (!o->has(key) || o->isNull(key)) {
        if (required) throw KakehashiError(ErrorId::InvalidField, std::string(key) + " is required");
        return {};
    }
    if (!o->get(key).isString()) throw KakehashiError(ErrorId::InvalidField, std::string(key) + " must be a string");
    return o->getValue<std::string>(key);
}

// {"insurerNumber","cardSymbol","cardNumber","branchNumber","birthDate","fileCategory":"xml|pdf","startDate","endDate"}
model::MedicalInfoRequest medicalRequest(const std::string& body, ConsentScope scope) {
    Poco::JSON::Object::Ptr o;
    try {
        o = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        throw KakehashiError(ErrorId::MalformedJson, "body must be a JSON object");
    }
    model::MedicalInfoRequest r;
    r.insured = {text(o, "insurerNumber", true), text(o, "cardSymbol", false), text(o, "cardNumber", true),
                 text(o, "branchNumber", true), text(o, "birthDate", true)};
    r.scope = scope;
    r.startDate = text(o, "startDate", false);
    r.endDate = text(o, "endDate", false);
    std::string category = text(o, "fileCategory", false);
    if (!category.empty() && category != "xml" && category != "pdf")
        throw KakehashiError(ErrorId::InvalidField, "fileCategory: xml or pdf");
    r.fileCategory = category == "pdf" ? 1 : 2;
    r.treatment = model::MedicalTreatment::Online;
    r.institutionCode = "0000000000";  // replaced by the service with this box's code
    return r;
}

HttpReply medicalInfo(services::HomeConsentService& s, HttpCall& call) {
    const auto& name = call.params["scope"];
    ConsentScope scope;
    if (name == "medication") scope = ConsentScope::Medication;
    else if (name == "clinical") scope = ConsentScope::Clinical;
    else if (name == "checkup") scope = ConsentScope::Checkup;
    else return problemReply(ErrorId::NotFound, "scope: medication, clinical or checkup");
    auto req = medicalRequest(call.body, scope);
    auto errors = model::validate(req);
    errors.erase(std::remove_if(errors.begin(), errors.end(),
                                [](const model::FieldError& e) { return e.field == "MedicalInstitutionCode"; }),
                 errors.end());
    if (!errors.empty()) return problemReply(ErrorId::InvalidField, "", model::withJsonNames(errors));
    auto out = s.medicalInfo(req);
    if (!out.served) return problemReply(out.refusal, out.reason);
    return {200, out.contentType, out.body,
            {{"X-Kakehashi-Source", out.source},
             {"X-Kakehashi-Fetched-At", model::japanIso8601(model::fromUnixSeconds(out.fetchedAt))}}};
}
}  // namespace

std::vector<Route> homeConsentRoutes(services::HomeConsentService& s) {
    return {
        Route{"GET", "/api/v1/home-consent/qualifications", "Consented patients (居宅同意取得型), ?since=YYYYMMDD consent date",
         Access::ApiClient, [&s](HttpCall& call) { return list(s, call); }}
            .with(ApiContract("listConsentedPatients", "home-consent")
                      .query("since", "この日以降に同意した患者 (consented on or after) YYYYMMDD", R"({"type":"string","pattern":"^[0-9]{8}$"})")
                      .gives(200, "同意のある患者 (consented patients)", consentedPatientsSchema())),
        Route{"POST", "/api/v1/home-consent/qualifications/refresh", "Fetch the consent lists from the central system now",
         Access::ApiClient, [&s](HttpCall&) {
             size_t consents = s.refreshQualifications();
             size_t withdrawals = s.pollWithdrawals();
             JsonWriter w;
             w.beginObject().field("consents", int64_t(consents)).field("withdrawals", int64_t(withdrawals)).endObject();
             return HttpReply{200, "application/json", w.take(), {}};
         }}
            .with(ApiContract("refreshConsents", "home-consent")
                      .gives(200, "取り込んだ同意と撤回の数 (consents and withdrawals taken in)", refreshCountsSchema())
                      .refuses({ErrorId::UpstreamUnavailable, ErrorId::UpstreamRejected})),
        Route{"POST", "/api/v1/medical-info/{scope}", "Medication, clinical or checkup information, within a valid consent",
         Access::ApiClient, [&s](HttpCall& call) { return medicalInfo(s, call); }}
            .with(ApiContract("getMedicalInfo", "home-consent")
                      .path("scope", "medication 薬剤情報 / clinical 診療情報 / checkup 特定健診情報",
                            R"({"type":"string","enum":["medication","clinical","checkup"]})")
                      .takes(medicalInfoRequestSchema())
                      .gives(200, "中央システムのファイル（XML または PDF） (the central system's file)", binarySchema(),
                             {"application/xml", "application/pdf"},
                             {{"X-Kakehashi-Source", "live または cache"}, {"X-Kakehashi-Fetched-At", "取得時刻（日本時間 ISO 8601）"}})
                      .refuses({ErrorId::NotFound, ErrorId::MalformedJson, ErrorId::InvalidField, ErrorId::ConsentMissing,
                                ErrorId::ConsentExpired, ErrorId::ConsentWithdrawn, ErrorId::UpstreamUnavailable,
                                ErrorId::UpstreamRejected})),
    };
}

}  // namespace kh::endpoint
