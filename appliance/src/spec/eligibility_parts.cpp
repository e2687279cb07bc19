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

// ResultOfQualificationConfirmation up to WelfareOfficeName, in the layout order (docs/file-interface.md);
// the 医療扶助 elements stand beside the insurance elements they replace.
const Field<EligibilityRecord> kRecordFields[] = {
    {"InsuredCardClassification", &EligibilityRecord::insuredCardClassification},
    {"InsurerNumber", &EligibilityRecord::insurerNumber},
    {"PublicExpenseNumber", &EligibilityRecord::publicExpenseNumber},
    {"InsuredCardSymbol", &EligibilityRecord::cardSymbol},
    {"InsuredIdentificationNumber", &EligibilityRecord::cardNumber},
    {"BeneficiaryNumber", &EligibilityRecord::beneficiaryNumber},
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
    {"InsurerName", &EligibilityRecord::insurerName},
    {"WelfareOfficeName", &EligibilityRecord::welfareOfficeName},
};

const Field<EligibilityRecord> kSpecificDiseasesConsentFields[] = {
    {"SpecificDiseasesCertificateRelatedConsFlg", &EligibilityRecord::specificDiseasesConsentFlag},
    {"SpecificDiseasesCertificateRelatedConsTime", &EligibilityRecord::specificDiseasesConsentTime},
};

const Field<model::SpecificDiseaseCertificate> kSpecificDiseaseFields[] = {
    {"SpecificDiseasesDiseaseCategory", &model::SpecificDiseaseCertificate::diseaseCategory},
    {"SpecificDiseasesCertificateDate", &model::SpecificDiseaseCertificate::certificateDate},
    {"SpecificDiseasesValidStartDate", &model::SpecificDiseaseCertificate::validStartDate},
    {"SpecificDiseasesValidEndDate", &model::SpecificDiseaseCertificate::validEndDate},
    {"SpecificDiseasesSelfPay", &model::SpecificDiseaseCertificate::selfPay},
};

const Field<model::MedicalTicket> kMedicalTicketFields[] = {
    {"TicketType", &model::MedicalTicket::ticketType},
    {"MedicalTicketValidDate", &model::MedicalTicket::validDate},
    {"MedicalTicketExpirationDate", &model::MedicalTicket::expirationDate},
    {"IssueNumber", &model::MedicalTicket::issueNumber},
    {"MedicalTreatmentMonth", &model::MedicalTicket::treatmentMonth},
    {"DesignatedMedicalInstitutionCode", &model::MedicalTicket::designatedInstitutionCode},
    {"DesignatedMedicalInstitutionName", &model::MedicalTicket::designatedInstitutionName},
    {"SelfPayAmount", &model::MedicalTicket::selfPayAmount},
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

constexpr const char kRecord[] = "ResultOfQualificationConfirmation";
constexpr const char kSpecificDiseasesList[] = "SpecificDiseasesCertificateList";
constexpr const char kSpecificDiseasesItem[] = "SpecificDiseasesCertificateInfo";
constexpr const char kPublicExpenseList[] = "PublicExpenseResultList";
constexpr const char kMedicalTicketItem[] = "MedicalTicketInfo";

// Records sit in ResultList (single result, face file) or directly in the unit (batch); both are read, all of them.
std::vector<const XmlElement*> findRecords(const XmlElement& parent) {
    std::vector<const XmlElement*> found;
    if (const XmlElement* list = parent.child("ResultList"))
        for (const XmlElement* r : list->childrenNamed(kRecord)) found.push_back(r);
    for (const XmlElement* r : parent.childrenNamed(kRecord)) found.push_back(r);
    return found;
}

// A repeated block such as SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo. Readers are
// liberal: items are also taken when a client's layout left the list wrapper out.
template <typename T, size_t N>
std::vector<T> readList(const XmlElement& record, const char* list, const char* item, const Field<T> (&fields)[N]) {
    std::vector<T> out;
    std::vector<const XmlElement*> items = record.childrenNamed(item);
    for (const XmlElement* l : record.childrenNamed(list))
        for (const XmlElement* i : l->childrenNamed(item)) items.push_back(i);
    for (const XmlElement* i : items) {
        T value;
        for (const auto& f : fields) value.*f.member = i->childText(f.element);
        out.push_back(std::move(value));
    }
    return out;
}

template <typename T, size_t N>
void writeList(XmlElement& record, const char* list, const char* item, const std::vector<T>& values, const Field<T> (&fields)[N]) {
    if (values.empty()) return;
    XmlElement& l = record.add(list);
    for (const auto& v : values) {
        XmlElement& i = l.add(item);
        for (const auto& f : fields) detail::addIfPresent(i, f.element, v.*f.member);
    }
}

// A received answer in the other layout than the one written now: a single result's MessageBody holds
// its records in ResultList with each ReferenceNumber inside the record; a BulkConfirmUnit holds them
// directly with the ReferenceNumbers beside them. Every other element stays where it was.
XmlElement asUnitLayout(const XmlElement& received) {
    if (!received.child("ResultList")) return received;
    XmlElement out{received.name, received.text, {}};
    for (const auto& c : received.children) {
        if (c.name != "ResultList") {
            out.children.push_back(c);
            continue;
        }
        std::vector<XmlElement> numbers;
        for (const auto& record : c.children) {
            if (record.name != kRecord) continue;
            XmlElement moved{record.name, record.text, {}};
            for (const auto& field : record.children) (field.name == "ReferenceNumber" ? numbers : moved.children).push_back(field);
            out.children.push_back(std::move(moved));
        }
        for (auto& n : numbers) out.children.push_back(std::move(n));
    }
    return out;
}

XmlElement asSingleLayout(const XmlElement& received) {
    if (received.child("ResultList") || !received.child(kRecord)) return received;
    auto numbers = received.childrenNamed("ReferenceNumber");
    XmlElement out{received.name, received.text, {}};
    XmlElement* list = nullptr;
    size_t index = 0;
    for (const auto& c : received.children) {
        if (c.name == "ReferenceNumber") continue;
        if (c.name != kRecord) {
            out.children.push_back(c);
            continue;
        }
        if (!list) {
            out.children.push_back(XmlElement{"ResultList", {}, {}});
            list = &out.children.back();
        }
        XmlElement record = c;
        if (index < numbers.size() && !record.child("ReferenceNumber")) record.children.push_back(*numbers[index]);
        ++index;
        list->children.push_back(std::move(record));
    }
    return out;
}

bool sameInquiry(const model::EligibilityInquiry& a, const model::EligibilityInquiry& b) {
    const auto &x = a.insured, &y = b.insured;
    return x.insurerNumber == y.insurerNumber && x.cardSymbol == y.cardSymbol && x.cardNumber == y.cardNumber &&
           x.branchNumber == y.branchNumber && x.birthDate == y.birthDate &&
           a.limitCertificateConsent == b.limitCertificateConsent && a.arbitraryIdentifier == b.arbitraryIdentifier;
}

// The echoed search info of a received answer is kept as it came when it is this request's; it becomes
// this request's own when the answer was given to another (a cached answer: another ArbitraryIdentifier).
XmlElement withOwnSearchInfo(const XmlElement& received, const model::EligibilityInquiry& q, const char* name) {
    XmlElement out{name, {}, {}};
    out.children.reserve(received.children.size());
    for (const auto& c : received.children) {
        if (c.name != "QualificationConfirmSearchInfo" || sameInquiry(decodeSearchInfo(c), q)) {
            out.children.push_back(c);
            continue;
        }
        XmlElement holder;
        encodeSearchInfo(holder, q);
        out.children.push_back(std::move(holder.children.front()));
    }
    return out;
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
    readFields(result, r, kSpecificDiseasesConsentFields);
    r.specificDiseases = readList(result, kSpecificDiseasesList, kSpecificDiseasesItem, kSpecificDiseaseFields);
    r.medicalTickets = readList(result, kPublicExpenseList, kMedicalTicketItem, kMedicalTicketFields);
    r.consent = readConsent(result);
    r.referenceNumber = result.childText("ReferenceNumber");
    return r;
}

void encodeRecord(XmlElement& parent, const model::EligibilityRecord& r, bool withReferenceNumber) {
    XmlElement& result = parent.add(kRecord);
    writeFields(result, r, kRecordFields);
    writeBlock(result, kElderlyBlock, r.elderlyRecipient, kElderlyFields);
    writeFields(result, r, kLimitConsentFields);
    writeBlock(result, kLimitBlock, r.limitCertificate, kLimitFields);
    writeFields(result, r, kSpecificDiseasesConsentFields);
    writeList(result, kSpecificDiseasesList, kSpecificDiseasesItem, r.specificDiseases, kSpecificDiseaseFields);
    writeList(result, kPublicExpenseList, kMedicalTicketItem, r.medicalTickets, kMedicalTicketFields);
    writeConsent(result, r.consent);
    if (withReferenceNumber) detail::addIfPresent(result, "ReferenceNumber", r.referenceNumber);
}

model::EligibilityResult decodeUnit(const XmlElement& unit) { return detail::decodeResult(unit); }
void encodeUnit(XmlElement& unit, const model::EligibilityResult& r) { detail::encodeBatchUnit(unit, r); }

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
    r.prescriptionIssueSelect = parent.childText("PrescriptionIssueSelect");
    for (const XmlElement* record : findRecords(parent)) {
        r.records.push_back(decodeRecord(*record));
        // One client's layout puts PrescriptionIssueSelect in the record: read it from there too.
        if (r.prescriptionIssueSelect.empty()) r.prescriptionIssueSelect = record->childText("PrescriptionIssueSelect");
    }
    // In a batch unit the ReferenceNumbers stand beside the records, one per record in order.
    auto numbers = parent.childrenNamed("ReferenceNumber");
    for (size_t i = 0; i < r.records.size() && i < numbers.size(); ++i)
        if (r.records[i].referenceNumber.empty()) r.records[i].referenceNumber = numbers[i]->text;
    r.received = std::make_shared<const XmlElement>(parent);
    return r;
}

void encodeSingleResult(XmlElement& body, const model::EligibilityResult& r) {
    if (r.received) {
        body.children = withOwnSearchInfo(asSingleLayout(*r.received), r.inquiry, "MessageBody").children;
        return;
    }
    encodeOutcome(body, r);
    if (!r.records.empty()) {
        XmlElement& list = body.add("ResultList");
        for (const auto& record : r.records) encodeRecord(list, record, true);
    }
    encodeSearchInfo(body, r.inquiry);
    addIfPresent(body, "PrescriptionIssueSelect", r.prescriptionIssueSelect);
}

void encodeBatchUnit(XmlElement& unit, const model::EligibilityResult& r) {
    if (r.received) {
        unit.children = withOwnSearchInfo(asUnitLayout(*r.received), r.inquiry, "BulkConfirmUnit").children;
        return;
    }
    encodeSearchInfo(unit, r.inquiry);
    encodeOutcome(unit, r);
    addIfPresent(unit, "MedicalTreatmentFlag", r.medicalTreatmentFlag);
    addIfPresent(unit, "ExaminationDate", r.examinationDate);
    for (const auto& record : r.records) encodeRecord(unit, record, false);
    // Real clients read the 照会番号 of a batch entry as a child of BulkConfirmUnit.
    for (const auto& record : r.records) addIfPresent(unit, "ReferenceNumber", record.referenceNumber);
    addIfPresent(unit, "PrescriptionIssueSelect", r.prescriptionIssueSelect);
}

}  // namespace detail
}  // namespace kh::spec
