#include "endpoint/json_answer.hpp"

#include "endpoint/json_writer.hpp"
#include "model/errors.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;

void writeRecord(JsonWriter& w, const model::EligibilityRecord& r) {
    w.object("eligibility")
        .fieldIfSet("insuredCardClassification", r.insuredCardClassification)
        .fieldIfSet("insurerNumber", r.insurerNumber)
        .fieldIfSet("insurerName", r.insurerName)
        .fieldIfSet("cardSymbol", r.cardSymbol)
        .fieldIfSet("cardNumber", r.cardNumber)
        .fieldIfSet("branchNumber", r.branchNumber)
        .fieldIfSet("personalFamilyClassification", r.personalFamilyClassification)
        .fieldIfSet("name", r.name)
        .fieldIfSet("nameKana", r.nameKana)
        .fieldIfSet("sex", r.sex1)
        .fieldIfSet("birthDate", r.birthDate)
        .fieldIfSet("address", r.address)
        .fieldIfSet("postNumber", r.postNumber)
        .fieldIfSet("qualificationDate", r.qualificationDate)
        .fieldIfSet("disqualificationDate", r.disqualificationDate)
        .fieldIfSet("cardValidDate", r.cardValidDate)
        .fieldIfSet("cardExpirationDate", r.cardExpirationDate)
        .fieldIfSet("burdenRatio", r.partialContributionRatio)
        .fieldIfSet("reasonOfLoss", r.reasonOfLoss);
    if (r.elderlyRecipient) {
        w.object("elderlyRecipientCertificate")
            .fieldIfSet("validStartDate", r.elderlyRecipient->validStartDate)
            .fieldIfSet("validEndDate", r.elderlyRecipient->validEndDate)
            .fieldIfSet("contributionRatio", r.elderlyRecipient->contributionRatio)
            .endObject();
    }
    if (r.limitCertificate) {
        w.object("limitCertificate")
            .fieldIfSet("classification", r.limitCertificate->classification)
            .fieldIfSet("classificationFlag", r.limitCertificate->classificationFlag)
            .fieldIfSet("validStartDate", r.limitCertificate->validStartDate)
            .fieldIfSet("validEndDate", r.limitCertificate->validEndDate)
            .endObject();
    }
    w.fieldIfSet("referenceNumber", r.referenceNumber).endObject();
}

}  // namespace

void writeResultFields(JsonWriter& w, const model::EligibilityResult& r) {
    w.field("status", r.processingStatus == "1" ? model::statusName(r.validity) : "error")
        .fieldIfSet("qualificationValidity", r.validityRaw)
        .object("processingResult")
        .field("status", r.processingStatus)
        .fieldIfSet("code", r.processingCode)
        .fieldIfSet("message", r.processingMessage)
        .endObject()
        .fieldIfSet("arbitraryIdentifier", r.inquiry.arbitraryIdentifier);
    if (r.record) writeRecord(w, *r.record);
}

std::string encodeAnswer(const services::Answer& a) {
    JsonWriter w;
    w.beginObject();
    writeResultFields(w, a.result);
    w.field("source", a.source)
        .field("stale", a.stale)
        .field("confirmedAt", model::japanIso8601(model::fromUnixSeconds(a.confirmedAt)))
        .endObject();
    return w.take();
}

std::string encodeQueued(int64_t ticket, const std::string& requestId) {
    JsonWriter w;
    w.beginObject()
        .field("status", "queued")
        .field("ticket", ticket)
        .fieldIfSet("requestId", requestId)
        .field("location", "/api/v1/eligibility/inquiries/" + std::to_string(ticket))
        .field("message", model::errorInfo(ErrorId::Queued).title)
        .endObject();
    return w.take();
}

std::string encodeBatch(const services::BatchView& v) {
    JsonWriter w;
    w.beginObject()
        .field("receptionNumber", v.batch.receptionNumber)
        .field("status", v.done ? "done" : "processing")
        .field("entryCount", v.batch.entryCount)
        .field("receivedAt", model::japanIso8601(model::fromUnixSeconds(v.batch.receivedAt)));
    if (v.done) {
        w.beginArray("entries");
        for (const auto& u : v.units) {
            w.beginObject();
            writeResultFields(w, u);
            w.endObject();
        }
        w.endArray();
    }
    w.endObject();
    return w.take();
}

}  // namespace kh::endpoint
