#include "endpoint/json_answer.hpp"

#include "endpoint/json_writer.hpp"
#include "model/errors.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;

// The fields of one record into an object the caller opened.
void writeRecordFields(JsonWriter& w, const model::EligibilityRecord& r) {
    w.fieldIfSet("insuredCardClassification", r.insuredCardClassification)
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
    // 特定疾病療養受療証
    if (!r.specificDiseasesConsentFlag.empty() || !r.specificDiseases.empty()) {
        w.object("specificDiseases").fieldIfSet("consentFlag", r.specificDiseasesConsentFlag)
            .fieldIfSet("consentTime", r.specificDiseasesConsentTime)
            .beginArray("certificates");
        for (const auto& c : r.specificDiseases)
            w.beginObject()
                .fieldIfSet("diseaseCategory", c.diseaseCategory)
                .fieldIfSet("certificateDate", c.certificateDate)
                .fieldIfSet("validStartDate", c.validStartDate)
                .fieldIfSet("validEndDate", c.validEndDate)
                .fieldIfSet("selfPay", c.selfPay)
                .endObject();
        w.endArray().endObject();
    }
    // 医療扶助
    if (r.isMedicalAid() || !r.publicExpenseNumber.empty() || !r.medicalTickets.empty()) {
        w.object("medicalAid")
            .fieldIfSet("publicExpenseNumber", r.publicExpenseNumber)
            .fieldIfSet("beneficiaryNumber", r.beneficiaryNumber)
            .fieldIfSet("welfareOfficeName", r.welfareOfficeName)
            .beginArray("tickets");
        for (const auto& t : r.medicalTickets)
            w.beginObject()
                .fieldIfSet("ticketType", t.ticketType)
                .fieldIfSet("validDate", t.validDate)
                .fieldIfSet("expirationDate", t.expirationDate)
                .fieldIfSet("issueNumber", t.issueNumber)
                .fieldIfSet("treatmentMonth", t.treatmentMonth)
                .fieldIfSet("designatedInstitutionCode", t.designatedInstitutionCode)
                .fieldIfSet("designatedInstitutionName", t.designatedInstitutionName)
                .fieldIfSet("selfPayAmount", t.selfPayAmount)
                .endObject();
        w.endArray().endObject();
    }
    w.fieldIfSet("referenceNumber", r.referenceNumber);
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
        .fieldIfSet("arbitraryIdentifier", r.inquiry.arbitraryIdentifier)
        .fieldIfSet("prescriptionIssueSelect", r.prescriptionIssueSelect)
        .fieldIfSet("answeredAt", r.answeredAt);
    // "eligibility": the record Kakehashi reasons about (the health insurance one when there are several);
    // "records": every record, in the order the central system gave them (insurance, 医療扶助, …).
    if (const auto* primary = r.primary()) {
        w.object("eligibility");
        writeRecordFields(w, *primary);
        w.endObject();
    }
    if (!r.records.empty()) {
        w.beginArray("records");
        for (const auto& record : r.records) {
            w.beginObject();
            writeRecordFields(w, record);
            w.endObject();
        }
        w.endArray();
    }
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
