// 医療扶助 of a month (OQSmutic01 / 02): the facility asks for the qualifications of its 医療扶助 patients for
// one MedicalTreatmentMonth (yyyyMM); then the batch's second phase (OQSmutic02req by reception number,
// 02res units each with the health-insurance record, if any, and the 医療扶助 (A1) record).
#pragma once
#include <string>

#include "spec/messages.hpp"

namespace kh::spec {

struct MedicalAidListRequest {  // OQSmutic01req
    RequestHeader header;       // MedicalInstitutionCode + ArbitraryFileIdentifier
    std::string medicalTreatmentMonth;  // QualificationConfirmSearchInfo/MedicalTreatmentMonth, yyyyMM
};

// Throws model::KakehashiError UnknownMessage when the document is not an XmlMsg with a body.
MedicalAidListRequest decodeMedicalAidListRequest(const XmlElement& root);
XmlElement encode(const MedicalAidListRequest& m);
// A real month (yyyyMM) and a valid MedicalInstitutionCode.
std::vector<model::FieldError> validate(const MedicalAidListRequest& m);

}  // namespace kh::spec
