// 薬剤情報・特定健診情報・診療情報の照会 (YZKsiquc01 medication, TKKsiquc01 checkups; clinical without a file
// prefix): what a facility asks for one patient, and the document the central system returns. Served only
// with the patient's consent for that scope (model/consent.hpp).
#pragma once
#include <string>
#include <vector>

#include "model/codes.hpp"
#include "model/consent.hpp"
#include "model/eligibility.hpp"

namespace kh::model {

struct MedicalInfoRequest {
    InsuredIdentity insured;  // insurer, symbol, number and branch number (required here); no birth date
    ConsentScope scope = ConsentScope::Medication;
    std::string startDate, endDate;  // medication: the months asked for, YYYYMM; each optional, ordered
    int fileCategory = 2;            // FileCategory: 1 PDF, 2 XML
    std::string prDiInfClassification = "1";  // PrDiInfClassification, as clients send it
    MedicalTreatment treatment = MedicalTreatment::Normal;  // MedicalTreatmentFlag 1 | 2 | 3
    std::string arbitraryFileIdentifier;
    std::string institutionCode;  // MedicalInstitutionCode
};

// The insured keys as for a check (plus a required 枝番), dates, FileCategory, MedicalTreatmentFlag,
// MedicalInstitutionCode and ArbitraryFileIdentifier.
std::vector<FieldError> validate(const MedicalInfoRequest& request);

// The document the central system returned. XML: success is ResultCode 1, a refusal's words are in
// MessageContents (kept here as processingStatus 1/2, processingCode, processingMessage).
struct MedicalInfoResult {
    std::string processingStatus, processingCode, processingMessage;
    std::string contentType;  // "application/xml" or "application/pdf"
    std::string body;         // the information document (XML) or PDF bytes, kept opaque
};

}  // namespace kh::model
