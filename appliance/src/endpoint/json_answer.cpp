#include "endpoint/json_answer.hpp"

#include "base/json_writer.hpp"
#include "model/errors.hpp"

namespace kh::endpoint {
using base::JsonWriter;
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

namespace kh::endpoint {
namespace {
std::string strings(std::initializer_list<const char*> names) {
    std::string out;
    for (const char* n : names) out += std::string(out.empty() ? "" : ",") + "\"" + n + "\":{\"type\":\"string\"}";
    return out;
}
}  // namespace

// What writeRecordFields writes: the central system's values as given (codes and YYYYMMDD dates), each
// present only when set.
const Schema& eligibilityRecordSchema() {
    static const Schema s{
        "EligibilityRecord",
        closedObject(strings({"insuredCardClassification", "insurerNumber", "insurerName", "cardSymbol", "cardNumber",
                              "branchNumber", "personalFamilyClassification", "name", "nameKana", "sex", "birthDate",
                              "address", "postNumber", "qualificationDate", "disqualificationDate", "cardValidDate",
                              "cardExpirationDate", "burdenRatio", "reasonOfLoss", "referenceNumber"}) +
                     R"(,"elderlyRecipientCertificate":)" +
                     closedObject(strings({"validStartDate", "validEndDate", "contributionRatio"})) +
                     R"(,"limitCertificate":)" +
                     closedObject(strings({"classification", "classificationFlag", "validStartDate", "validEndDate"})) +
                     R"(,"specificDiseases":)" +
                     closedObject(strings({"consentFlag", "consentTime"}) + R"(,"certificates":{"type":"array","items":)" +
                                  closedObject(strings({"diseaseCategory", "certificateDate", "validStartDate",
                                                        "validEndDate", "selfPay"})) +
                                  "}") +
                     R"(,"medicalAid":)" +
                     closedObject(strings({"publicExpenseNumber", "beneficiaryNumber", "welfareOfficeName"}) +
                                  R"(,"tickets":{"type":"array","items":)" +
                                  closedObject(strings({"ticketType", "validDate", "expirationDate", "issueNumber",
                                                        "treatmentMonth", "designatedInstitutionCode",
                                                        "designatedInstitutionName", "selfPayAmount"})) +
                                  "}")),
        {}};
    return s;
}

std::string resultProperties() {
    return R"(
        "status":{"type":"string","enum":["valid","lapsed","not_found","multiple","unknown","error"],
                  "description":"valid 有効 / lapsed 無効 / not_found 該当なし / multiple 複数該当 / unknown / error 処理エラー"},
        "qualificationValidity":{"type":"string","description":"資格有効性（中央の値のまま）"},
        "processingResult":)" + closedObject(R"("status":{"type":"string","description":"処理結果状況（1 正常）"},
            "code":{"type":"string"},"message":{"type":"string"})", R"("status")") + R"(,
        "arbitraryIdentifier":{"type":"string"},
        "prescriptionIssueSelect":{"type":"string"},
        "answeredAt":{"type":"string","description":"中央システムの処理日時"},
        "eligibility":)" + refTo(eligibilityRecordSchema()) + R"(,
        "records":{"type":"array","items":)" + refTo(eligibilityRecordSchema()) + R"(,
                   "description":"中央システムが返したすべての資格（健康保険・医療扶助など）"})";
}

const Schema& eligibilityResultSchema() {
    static const Schema s{"EligibilityResult", closedObject(resultProperties(), R"("status","processingResult")"),
                          {&eligibilityRecordSchema()}};
    return s;
}

const Schema& eligibilityAnswerSchema() {
    static const Schema s{"EligibilityAnswer",
                          closedObject(resultProperties() + R"(,
        "source":{"type":"string","enum":["live","cache"],"description":"live 中央に照会 / cache 本機の記録"},
        "stale":{"type":"boolean","description":"中央に届かず、鮮度の期限を過ぎた記録で答えた"},
        "confirmedAt":{"type":"string","format":"date-time","description":"中央で確認した時刻（日本時間）"})",
                                       R"("status","processingResult","source","stale","confirmedAt")"),
                          {&eligibilityRecordSchema()}};
    return s;
}

const Schema& queuedSchema() {
    static const Schema s{"QueuedInquiry", closedObject(R"(
        "status":{"type":"string","enum":["queued"]},
        "ticket":{"type":"integer","format":"int64"},
        "requestId":{"type":"string"},
        "location":{"type":"string","description":"回答を取りに行く先（GET）"},
        "message":{"type":"string"})",
                                                     R"("status","ticket","location","message")"),
                          {}};
    return s;
}

const Schema& batchSchema() {
    static const Schema s{"Batch", closedObject(R"(
        "receptionNumber":{"type":"string","description":"受付番号"},
        "status":{"type":"string","enum":["processing","done"]},
        "entryCount":{"type":"integer"},
        "receivedAt":{"type":"string","format":"date-time"},
        "entries":{"type":"array","items":)" + refTo(eligibilityResultSchema()) +
                                                    R"(,"description":"done のときだけ。要求と同じ順"})",
                                                R"("receptionNumber","status","entryCount","receivedAt")"),
                          {&eligibilityResultSchema()}};
    return s;
}

}  // namespace kh::endpoint
