// OQSmuhvq01req / OQSmuonq01req: the consented-patients request, and its validation.
#include "spec/home_consent_messages.hpp"

#include "model/japan_date.hpp"
#include "spec/message_parts.hpp"

namespace kh::spec {
namespace {
using namespace detail;
using model::FieldError;

constexpr const char kSearchInfo[] = "QualificationConfirmSearchInfo";

// One range (ConsentDate… or ExaminationDate…): both ends real days, From ≤ To.
void validateRange(const std::string& from, const std::string& to, const std::string& prefix,
                   std::vector<FieldError>& errors) {
    const auto f = model::JapanDate::parse(from), t = model::JapanDate::parse(to);
    if (!f) errors.push_back({prefix + "From", "開始日はYYYYMMDD形式の実在する日付です"});
    if (!t) errors.push_back({prefix + "To", "終了日はYYYYMMDD形式の実在する日付です"});
    if (f && t && *t < *f) errors.push_back({prefix + "To", "終了日が開始日より前です"});
}

void validateRanges(const ConsentListRequest& m, std::vector<FieldError>& errors) {
    const bool consent = !m.consentDateFrom.empty() || !m.consentDateTo.empty();
    const bool examination = !m.examinationDateFrom.empty() || !m.examinationDateTo.empty();
    if (consent && examination)
        errors.push_back({"QualificationConfirmSearchInfo", "同意日と診察日の範囲はどちらか一方だけを指定します"});
    else if (!consent && !examination)
        errors.push_back({"QualificationConfirmSearchInfo", "同意日または診察日の範囲を指定してください"});
    else if (consent)
        validateRange(m.consentDateFrom, m.consentDateTo, "ConsentDate", errors);
    else
        validateRange(m.examinationDateFrom, m.examinationDateTo, "ExaminationDate", errors);
}

void validateTreatment(const ConsentListRequest& m, std::optional<model::MedicalTreatment> expected,
                       std::vector<FieldError>& errors) {
    const auto treatment = model::medicalTreatmentFromCode(m.medicalTreatmentFlag);
    if (treatment != model::MedicalTreatment::HomeVisit && treatment != model::MedicalTreatment::Online)
        errors.push_back({"MedicalTreatmentFlag", "診療区分は2（訪問診療等）または3（オンライン診療等）です"});
    else if (expected && treatment != expected)
        errors.push_back({"MedicalTreatmentFlag", "診療区分がファイル名の種別と一致しません"});
}
}  // namespace

ConsentListRequest decodeConsentListRequest(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    ConsentListRequest m;
    m.header = decodeRequestHeader(headerOrEmpty(root));
    if (const XmlElement* info = body.child(kSearchInfo)) {
        m.consentDateFrom = info->childText("ConsentDateFrom");
        m.consentDateTo = info->childText("ConsentDateTo");
        m.examinationDateFrom = info->childText("ExaminationDateFrom");
        m.examinationDateTo = info->childText("ExaminationDateTo");
        m.medicalTreatmentFlag = info->childText("MedicalTreatmentFlag");
    }
    return m;
}

XmlElement encode(const ConsentListRequest& m) {
    XmlElement message = newMessage();
    encodeRequestHeader(headerOf(message), m.header, false);
    XmlElement& info = bodyOf(message).add(kSearchInfo);
    addIfPresent(info, "ConsentDateFrom", m.consentDateFrom);
    addIfPresent(info, "ConsentDateTo", m.consentDateTo);
    addIfPresent(info, "ExaminationDateFrom", m.examinationDateFrom);
    addIfPresent(info, "ExaminationDateTo", m.examinationDateTo);
    info.add("MedicalTreatmentFlag", m.medicalTreatmentFlag);
    return message;
}

std::vector<FieldError> validate(const ConsentListRequest& m, std::optional<model::MedicalTreatment> expected) {
    std::vector<FieldError> errors;
    if (!model::isValidInstitutionCode(m.header.institutionCode))
        errors.push_back({"MedicalInstitutionCode", "医療機関等コードが正しくありません（10桁・検証番号）"});
    validateRanges(m, errors);
    validateTreatment(m, expected, errors);
    return errors;
}

std::optional<model::MedicalTreatment> consentListTreatmentFromFileName(const std::string& fileName) {
    const MessageKind kind = kindFromFileName(fileName);
    if (kind != MessageKind::ConsentListUpload && kind != MessageKind::ConsentListDownload) return std::nullopt;
    if (fileName.compare(3, 5, "muhvq") == 0) return model::MedicalTreatment::HomeVisit;
    return model::MedicalTreatment::Online;
}

}  // namespace kh::spec
