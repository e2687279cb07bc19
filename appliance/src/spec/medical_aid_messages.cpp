#include "spec/medical_aid_messages.hpp"

#include "model/codes.hpp"
#include "model/japan_date.hpp"
#include "spec/message_parts.hpp"

namespace kh::spec {
using namespace detail;

MedicalAidListRequest decodeMedicalAidListRequest(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    MedicalAidListRequest m;
    m.header = decodeRequestHeader(headerOrEmpty(root));
    if (const XmlElement* info = body.child("QualificationConfirmSearchInfo"))
        m.medicalTreatmentMonth = info->childText("MedicalTreatmentMonth");
    return m;
}

XmlElement encode(const MedicalAidListRequest& m) {
    XmlElement message = newMessage();
    XmlElement& header = headerOf(message);
    header.add("MedicalInstitutionCode", m.header.institutionCode);
    addIfPresent(header, "ArbitraryFileIdentifier", m.header.arbitraryFileIdentifier);
    bodyOf(message).add("QualificationConfirmSearchInfo").add("MedicalTreatmentMonth", m.medicalTreatmentMonth);
    return message;
}

std::vector<model::FieldError> validate(const MedicalAidListRequest& m) {
    std::vector<model::FieldError> errors;
    if (!model::isValidInstitutionCode(m.header.institutionCode))
        errors.push_back({"MedicalInstitutionCode", "医療機関等コードが正しくありません（10桁・検証番号）"});
    if (m.medicalTreatmentMonth.size() != 6 || !model::JapanDate::parse(m.medicalTreatmentMonth + "01"))
        errors.push_back({"MedicalTreatmentMonth", "診療年月はYYYYMM形式です"});
    return errors;
}

}  // namespace kh::spec
