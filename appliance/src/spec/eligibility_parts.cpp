// QualificationConfirmSearchInfo (照会条件), ResultOfQualificationConfirmation (資格情報) and the result of one
// inquiry, mapped to and from the canonical model. Codes are kept exactly as received (no trimming), so a
// 6-digit 国保 insurer number padded with two spaces stays "  123456".
#include <optional>

#include "model/codes.hpp"
#include "spec/message_parts.hpp"

namespace kh::spec {
namespace {
using model::EligibilityRecord;
using model::ElderlyRecipientCertificate;
using model::LimitCertificate;

template <typename T>
struct Field {
    const char* element;
    std::string T::*member;
};

// ResultOfQualificationConfirmation up to ReasonOfLoss, in the documented order.
const Field<EligibilityRecord> kRecordFields[] = {
    {"InsuredCardClassification", &EligibilityRecord::insuredCardClassification},
    {"InsurerNumber", &EligibilityRecord::insurerNumber},
    {"InsurerName", &EligibilityRecord::insurerName},
    {"InsuredCardSymbol", &EligibilityRecord::cardSymbol},
    {"InsuredIdentificationNumber", &EligibilityRecord::cardNumber},
    {"InsuredBranchNumber", &EligibilityRecord::branchNumber},
    {"PersonalFamilyClassification", &EligibilityRecord::personalFamilyClassification},
    {"InsuredName", &EligibilityRecord::insuredName},
    {"Name", &EligibilityRecord::name},
    {"NameOfOther", &EligibilityRecord::nameOfOther},
    {"NameKana", &EligibilityRecord::nameKana},
    {"NameOfOtherKana", &EligibilityRecord::nameOfOtherKana},
    {"Sex1", &EligibilityRecord::sex1},
    {"Sex2", &EligibilityRecord::sex2},
    {"Birthdate", &EligibilityRecord::birthDate},
    {"Address", &EligibilityRecord::address},
    {"PostNumber", &EligibilityRecord::postNumber},
    {"QualificationDate", &EligibilityRecord::qualificationDate},
    {"DisqualificationDate", &EligibilityRecord::disqualificationDate},
    {"InsuredCertificateIssuanceDate", &EligibilityRecord::certificateIssuanceDate},
    {"InsuredCardValidDate", &EligibilityRecord::cardValidDate},
    {"InsuredCardExpirationDate", &EligibilityRecord::cardExpirationDate},
    {"InsuredPartialContributionRatio", &EligibilityRecord::partialContributionRatio},
    {"PreschoolClassification", &EligibilityRecord::preschoolClassification},
    {"ReasonOfLoss", &EligibilityRecord::reasonOfLoss},
};

const Field<EligibilityRecord> kLimitConsentFields[] = {
    {"LimitApplicationCertificateRelatedConsFlg", &EligibilityRecord::limitCertificateConsentFlag},
    {"LimitApplicationCertificateRelatedConsTime", &EligibilityRecord::limitCertificateConsentTime},
};

const Field<ElderlyRecipientCertificate> kElderlyFields[] = {
    {"ElderlyRecipientCertificateDate", &ElderlyRecipientCertificate::date},
    {"ElderlyRecipientValidStartDate", &ElderlyRecipientCertificate::validStartDate},
    {"ElderlyRecipientValidEndDate", &ElderlyRecipientCertificate::validEndDate},
    {"ElderlyRecipientContributionRatio", &ElderlyRecipientCertificate::contributionRatio},
};

const Field<LimitCertificate> kLimitFields[] = {
    {"LimitApplicationCertificateClassification", &LimitCertificate::classification},
    {"LimitApplicationCertificateClassificationFlag", &LimitCertificate::classificationFlag},
    {"LimitApplicationCertificateDate", &LimitCertificate::date},
    {"LimitApplicationCertificateValidStartDate", &LimitCertificate::validStartDate},
    {"LimitApplicationCertificateValidEndDate", &LimitCertificate::validEndDate},
    {"LimitApplicationCertificateLongTermDate", &LimitCertificate::longTermDate},
};

// The consent block (閲覧同意): <prefix>ConsFlg / ConsTime / AvailableTime per category, in the documented order.
struct ConsentScopeElements {
    const char* prefix;
    model::ScopeConsent model::ConsentBlock::*member;
};
const ConsentScopeElements kConsentScopes[] = {
    {"SpecificHealthCheckupsInfo", &model::ConsentBlock::checkup},
    {"PharmacistsInfo", &model::ConsentBlock::medication},
    {"DiagnosisInfo", &model::ConsentBlock::clinical},
    {"OperationInfo", &model::ConsentBlock::operation},
};
const Field<model::ScopeConsent> kConsentFields[] = {
    {"ConsFlg", &model::ScopeConsent::flag},
    {"ConsTime", &model::ScopeConsent::consTime},
    {"AvailableTime", &model::ScopeConsent::availableTime},
};

// Present in the model when any of its elements is present in the document.
std::optional<model::ConsentBlock> readConsent(const XmlElement& result) {
    model::ConsentBlock block;
    bool present = false;
    for (const auto& scope : kConsentScopes)
        for (const auto& f : kConsentFields) {
            const XmlElement* e = result.child(std::string(scope.prefix) + f.element);
            present = present || e;
            if (e) block.*scope.member.*f.member = e->text;
        }
    if (!present) return std::nullopt;
    return block;
}

void writeConsent(XmlElement& result, const std::optional<model::ConsentBlock>& block) {
    if (!block) return;
    for (const auto& scope : kConsentScopes)
        for (const auto& f : kConsentFields)
            detail::addIfPresent(result, (std::string(scope.prefix) + f.element).c_str(), (*block).*scope.member.*f.member);
}

constexpr const char kElderlyBlock[] = "ElderlyRecipientCertificateInfo";
constexpr const char kLimitBlock[] = "LimitApplicationCertificateRelatedInfo";

template <typename T, size_t N>
void readFields(const XmlElement& from, T& into, const Field<T> (&fields)[N]) {
    for (const auto& f : fields) into.*f.member = from.childText(f.element);
}

template <typename T, size_t N>
void writeFields(XmlElement& to, const T& from, const Field<T> (&fields)[N]) {
    for (const auto& f : fields) detail::addIfPresent(to, f.element, from.*f.member);
}

// A block such as ElderlyRecipientCertificateInfo: present in the model when present in the document.
template <typename T, size_t N>
std::optional<T> readBlock(const XmlElement& parent, const char* element, const Field<T> (&fields)[N]) {
    const XmlElement* block = parent.child(element);
    if (!block) return std::nullopt;
    T value;
    readFields(*block, value, fields);
    return value;
}

template <typename T, size_t N>
void writeBlock(XmlElement& parent, const char* element, const std::optional<T>& block, const Field<T> (&fields)[N]) {
    if (block) writeFields(parent.add(element), *block, fields);
}

bool isFlagSet(const std::string& flag) { return model::trimmed(flag) == "1"; }

// The record sits in ResultList (single result) or directly in the unit (batch); both are accepted.
const XmlElement* findRecord(const XmlElement& parent) {
    constexpr const char kRecord[] = "ResultOfQualificationConfirmation";
    if (const XmlElement* list = parent.child("ResultList"))
        if (const XmlElement* record = list->child(kRecord)) return record;
    return parent.child(kRecord);
}

void encodeOutcome(XmlElement& parent, const model::EligibilityResult& r) {
    parent.add("ProcessingResultStatus", r.processingStatus);
    detail::addIfPresent(parent, "ProcessingResultCode", r.processingCode);
    detail::addIfPresent(parent, "ProcessingResultMessage", r.processingMessage);
    detail::addIfPresent(parent, "QualificationValidity", detail::validityCode(r));
}
}  // namespace

model::EligibilityInquiry decodeSearchInfo(const XmlElement& info) {
    model::EligibilityInquiry q;
    q.insured.insurerNumber = info.childText("InsurerNumber");
    q.insured.cardSymbol = info.childText("InsuredCardSymbol");
    q.insured.cardNumber = info.childText("InsuredIdentificationNumber");
    q.insured.branchNumber = info.childText("InsuredBranchNumber");
    q.insured.birthDate = info.childText("Birthdate");
    q.limitCertificateConsent = isFlagSet(info.childText("LimitApplicationCertificateRelatedConsFlg"));
    q.arbitraryIdentifier = info.childText("ArbitraryIdentifier");
    return q;
}

void encodeSearchInfo(XmlElement& parent, const model::EligibilityInquiry& q) {
    XmlElement& info = parent.add("QualificationConfirmSearchInfo");
    info.add("InsurerNumber", q.insured.insurerNumber);
    detail::addIfPresent(info, "InsuredCardSymbol", q.insured.cardSymbol);
    info.add("InsuredIdentificationNumber", q.insured.cardNumber);
    detail::addIfPresent(info, "InsuredBranchNumber", q.insured.branchNumber);
    info.add("Birthdate", q.insured.birthDate);
    info.add("LimitApplicationCertificateRelatedConsFlg", q.limitCertificateConsent ? "1" : "0");
    detail::addIfPresent(info, "ArbitraryIdentifier", q.arbitraryIdentifier);
}

model::EligibilityRecord decodeRecord(const XmlElement& result) {
    EligibilityRecord r;
    readFields(result, r, kRecordFields);
    r.elderlyRecipient = readBlock(result, kElderlyBlock, kElderlyFields);
    readFields(result, r, kLimitConsentFields);
    r.limitCertificate = readBlock(result, kLimitBlock, kLimitFields);
    r.consent = readConsent(result);
    r.referenceNumber = result.childText("ReferenceNumber");
    return r;
}

void encodeRecord(XmlElement& parent, const model::EligibilityRecord& r) {
    XmlElement& result = parent.add("ResultOfQualificationConfirmation");
    writeFields(result, r, kRecordFields);
    writeBlock(result, kElderlyBlock, r.elderlyRecipient, kElderlyFields);
    writeFields(result, r, kLimitConsentFields);
    writeBlock(result, kLimitBlock, r.limitCertificate, kLimitFields);
    writeConsent(result, r.consent);
    detail::addIfPresent(result, "ReferenceNumber", r.referenceNumber);
}

namespace detail {

model::Validity validityFromCode(const std::string& code) {
    const std::string c = model::trimmed(code);
    if (c.size() != 1 || c[0] < '1' || c[0] > '6') return model::Validity::Unknown;
    return static_cast<model::Validity>(c[0] - '0');
}

// The code as received when it still means the model's validity; otherwise the model's own code.
std::string validityCode(const model::EligibilityResult& r) {
    if (r.validity == model::Validity::Unknown || validityFromCode(r.validityRaw) == r.validity) return r.validityRaw;
    return std::to_string(static_cast<int>(r.validity));
}

model::EligibilityResult decodeResult(const XmlElement& parent) {
    model::EligibilityResult r;
    r.processingStatus = parent.childText("ProcessingResultStatus");
    r.processingCode = parent.childText("ProcessingResultCode");
    r.processingMessage = parent.childText("ProcessingResultMessage");
    r.validityRaw = parent.childText("QualificationValidity");
    r.validity = validityFromCode(r.validityRaw);
    if (const XmlElement* info = parent.child("QualificationConfirmSearchInfo")) r.inquiry = decodeSearchInfo(*info);
    r.medicalTreatmentFlag = parent.childText("MedicalTreatmentFlag");  // consented-patients units only
    r.examinationDate = parent.childText("ExaminationDate");
    if (const XmlElement* record = findRecord(parent)) {
        r.record = decodeRecord(*record);
        if (r.record->referenceNumber.empty()) r.record->referenceNumber = parent.childText("ReferenceNumber");
    }
    return r;
}

void encodeSingleResult(XmlElement& body, const model::EligibilityResult& r) {
    encodeOutcome(body, r);
    encodeSearchInfo(body, r.inquiry);
    if (r.record) encodeRecord(body.add("ResultList"), *r.record);
}

void encodeBatchUnit(XmlElement& unit, const model::EligibilityResult& r) {
    encodeSearchInfo(unit, r.inquiry);
    encodeOutcome(unit, r);
    addIfPresent(unit, "MedicalTreatmentFlag", r.medicalTreatmentFlag);
    addIfPresent(unit, "ExaminationDate", r.examinationDate);
    if (r.record) encodeRecord(unit, *r.record);
}

}  // namespace detail
}  // namespace kh::spec
