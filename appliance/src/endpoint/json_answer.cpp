#include "endpoint/json_answer.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "model/errors.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;
using model::KakehashiError;
using Poco::JSON::Array;
using Poco::JSON::Object;

void put(Object& o, const char* k, const std::string& v) {
    if (!v.empty()) o.set(k, v);
}

Object::Ptr recordJson(const model::EligibilityRecord& r) {
    Object::Ptr o = new Object(true);
    put(*o, "insuredCardClassification", r.insuredCardClassification);
    put(*o, "insurerNumber", r.insurerNumber);
    put(*o, "insurerName", r.insurerName);
    put(*o, "cardSymbol", r.cardSymbol);
    put(*o, "cardNumber", r.cardNumber);
    put(*o, "branchNumber", r.branchNumber);
    put(*o, "personalFamilyClassification", r.personalFamilyClassification);
    put(*o, "name", r.name);
    put(*o, "nameKana", r.nameKana);
    put(*o, "sex", r.sex1);
    put(*o, "birthDate", r.birthDate);
    put(*o, "address", r.address);
    put(*o, "postNumber", r.postNumber);
    put(*o, "qualificationDate", r.qualificationDate);
    put(*o, "disqualificationDate", r.disqualificationDate);
    put(*o, "cardValidDate", r.cardValidDate);
    put(*o, "cardExpirationDate", r.cardExpirationDate);
    put(*o, "burdenRatio", r.partialContributionRatio);
    put(*o, "reasonOfLoss", r.reasonOfLoss);
    if (r.elderlyRecipient) {
        Object::Ptr e = new Object(true);
        put(*e, "validStartDate", r.elderlyRecipient->validStartDate);
        put(*e, "validEndDate", r.elderlyRecipient->validEndDate);
        put(*e, "contributionRatio", r.elderlyRecipient->contributionRatio);
        o->set("elderlyRecipientCertificate", e);
    }
    if (r.limitCertificate) {
        Object::Ptr c = new Object(true);
        put(*c, "classification", r.limitCertificate->classification);
        put(*c, "classificationFlag", r.limitCertificate->classificationFlag);
        put(*c, "validStartDate", r.limitCertificate->validStartDate);
        put(*c, "validEndDate", r.limitCertificate->validEndDate);
        o->set("limitCertificate", c);
    }
    put(*o, "referenceNumber", r.referenceNumber);
    return o;
}

Object::Ptr resultJson(const model::EligibilityResult& r) {
    Object::Ptr o = new Object(true);
    o->set("status", std::string(r.processingStatus == "1" ? model::statusName(r.validity) : "error"));
    put(*o, "qualificationValidity", r.validityRaw);
    Object::Ptr p = new Object(true);
    p->set("status", r.processingStatus);
    put(*p, "code", r.processingCode);
    put(*p, "message", r.processingMessage);
    o->set("processingResult", p);
    put(*o, "arbitraryIdentifier", r.inquiry.arbitraryIdentifier);
    if (r.record) o->set("eligibility", recordJson(*r.record));
    return o;
}

std::string stringify(const Object::Ptr& o) {
    std::ostringstream ss;
    o->stringify(ss);
    return ss.str();
}
}  // namespace

std::string encodeAnswer(const services::Answer& a) {
    auto o = resultJson(a.result);
    o->set("source", a.source);
    o->set("stale", a.stale);
    o->set("confirmedAt", model::japanIso8601(model::fromUnixSeconds(a.confirmedAt)));
    return stringify(o);
}

std::string encodeQueued(int64_t ticket, const std::string& requestId) {
    Object::Ptr o = new Object(true);
    o->set("status", std::string("queued"));
    o->set("ticket", ticket);
    if (!requestId.empty()) o->set("requestId", requestId);
    o->set("location", "/api/v1/eligibility/inquiries/" + std::to_string(ticket));
    o->set("message", std::string(model::errorInfo(ErrorId::Queued).title));
    return stringify(o);
}

std::string encodeBatch(const services::BatchView& v) {
    Object::Ptr o = new Object(true);
    o->set("receptionNumber", v.batch.receptionNumber);
    o->set("status", std::string(v.done ? "done" : "processing"));
    o->set("entryCount", v.batch.entryCount);
    o->set("receivedAt", model::japanIso8601(model::fromUnixSeconds(v.batch.receivedAt)));
    if (v.done) {
        Array::Ptr units = new Array;
        for (const auto& u : v.units) units->add(resultJson(u));
        o->set("entries", units);
    }
    return stringify(o);
}

std::string encodeProblem(ErrorId id, const std::string& detail, const std::vector<model::FieldError>& fieldErrors) {
    const auto& info = model::errorInfo(id);
    Object::Ptr o = new Object(true);
    o->set("type", std::string("urn:kakehashi:problem:") + info.name);
    o->set("title", std::string(info.title));
    o->set("status", info.httpStatus);
    o->set("code", std::string(info.code));
    if (!detail.empty()) o->set("detail", detail);
    if (!fieldErrors.empty()) {
        Array::Ptr errors = new Array;
        for (const auto& fe : fieldErrors) {
            Object::Ptr e = new Object(true);
            e->set("field", fe.field);
            e->set("message", fe.message);
            errors->add(e);
        }
        o->set("errors", errors);
    }
    return stringify(o);
}

}  // namespace kh::endpoint
