// Consented patients' qualifications (同意取得済み患者の資格情報): OQSmuhvq (訪問診療等, home visits) and OQSmuonq
// (オンライン診療等, online care). 01req asks by consent-date or examination-date range for the institution; then
// the batch's two phases: 01res reception number, 02req download by it, 02res units with the full result and
// the consent block (read and written with the batch messages of messages.hpp).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/codes.hpp"
#include "model/consent.hpp"
#include "spec/messages.hpp"

namespace kh::spec {

struct ConsentListRequest {  // OQSmuhvq01req / OQSmuonq01req
    RequestHeader header;    // MedicalInstitutionCode + ArbitraryFileIdentifier (no patient)
    std::string consentDateFrom, consentDateTo;          // ConsentDateFrom / To (YYYYMMDD)
    std::string examinationDateFrom, examinationDateTo;  // ExaminationDateFrom / To (YYYYMMDD)
    std::string medicalTreatmentFlag;                    // 2 訪問診療等, 3 オンライン診療等 (raw)
};

using ConsentListAcceptedResponse = BatchAcceptedResponse;  // 01res: decodeBatchAcceptedResponse / encode
using ConsentListDownloadRequest = BatchDownloadRequest;    // 02req: decodeBatchDownloadRequest / encode
using ConsentListResultResponse = BatchResultResponse;      // 02res: decodeBatchResultResponse / encode

// Throws model::KakehashiError UnknownMessage when the document is not an XmlMsg with a body.
ConsentListRequest decodeConsentListRequest(const XmlElement& root);
XmlElement encode(const ConsentListRequest& m);

// Exactly one range kind, both its dates real YYYYMMDD days with From ≤ To; MedicalTreatmentFlag 2 or 3 and,
// when `expected` is given (from the file name), equal to it; a valid MedicalInstitutionCode.
std::vector<model::FieldError> validate(const ConsentListRequest& m,
                                        std::optional<model::MedicalTreatment> expected = std::nullopt);

// OQSmuhvq… → HomeVisit, OQSmuonq… → Online (01 or 02, req); nullopt for any other name.
std::optional<model::MedicalTreatment> consentListTreatmentFromFileName(const std::string& fileName);

}  // namespace kh::spec
