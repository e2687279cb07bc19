#include "endpoint/home_consent_routes.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "endpoint/http_api.hpp"
#include "endpoint/json_answer.hpp"
#include "endpoint/json_writer.hpp"

namespace kh::endpoint {
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
    if (!errors.empty()) return problemReply(ErrorId::InvalidField, "", errors);
    auto out = s.medicalInfo(req);
    if (!out.served) return problemReply(out.refusal, out.reason);
    return {200, out.contentType, out.body,
            {{"X-Kakehashi-Source", out.source},
             {"X-Kakehashi-Fetched-At", model::japanIso8601(model::fromUnixSeconds(out.fetchedAt))}}};
}
}  // namespace

std::vector<Route> homeConsentRoutes(services::HomeConsentService& s) {
    return {
        {"GET", "/api/v1/home-consent/qualifications", "Consented patients (居宅同意取得型), ?since=YYYYMMDD consent date",
         Access::ApiClient, [&s](HttpCall& call) { return list(s, call); }},
        {"POST", "/api/v1/home-consent/qualifications/refresh", "Fetch the consent lists from the central system now",
         Access::ApiClient, [&s](HttpCall&) {
             size_t consents = s.refreshQualifications();
             size_t withdrawals = s.pollWithdrawals();
             JsonWriter w;
             w.beginObject().field("consents", int64_t(consents)).field("withdrawals", int64_t(withdrawals)).endObject();
             return HttpReply{200, "application/json", w.take(), {}};
         }},
        {"POST", "/api/v1/medical-info/{scope}", "Medication, clinical or checkup information, within a valid consent",
         Access::ApiClient, [&s](HttpCall& call) { return medicalInfo(s, call); }},
    };
}

}  // namespace kh::endpoint
