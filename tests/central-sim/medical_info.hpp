// Medical information behind home consent: 薬剤情報 (medication, YZKsiquc01), 特定健診等情報 (checkup,
// TKKsiquc01) and 診療情報 (clinical). The records are synthetic and deterministic from the person's
// identifiers and today's date (Japan time): medication dispensed every four weeks over the last three
// months, yearly checkups for ages 40 and over, a few diagnoses. Drug and checkup-item codes are made up
// (they start with 9 / SIM) and must not be taken for real codes.
//
// Answers: the XmlMsg result (FileCategory 2), a one-page PDF (FileCategory 1), or the refusal document
// (SegmentOfResult 9, ProcessingResultStatus 2) when consent is missing, expired or withdrawn.
#pragma once
#include <string>

#include "consents.hpp"
#include "population.hpp"

namespace ksim {

// YZKsiquc01req / TKKsiquc01req as received (header names differ from the check request).
struct MedicalInfoRequest {
    std::string institutionCode;          // MessageHeader/MedicalInstitutionCode
    std::string insurerNumber;            // MessageHeader/InsurerNumber
    std::string cardSymbol;               // MessageHeader/InsuranceCardSymbol
    std::string cardNumber;               // MessageHeader/InsuredPersonIdentificationNumber
    std::string branchNumber;             // MessageHeader/BranchNumber
    std::string arbitraryFileIdentifier;  // MessageHeader/ArbitraryFileIdentifier
    std::string birthDate;                // MessageBody/Birthdate
    std::string startDate, endDate;       // MessageBody/StartDate, EndDate (YYYYMMDD, optional)
    std::string fileCategory;             // MessageBody/FileCategory: 1 PDF, 2 XML (default)
    std::string treatmentFlag;            // MessageBody/MedicalTreatmentFlag: 1, 2, 3 (optional)
};

// The XmlMsg with the records of the scope between the request's dates (EndDate defaults to today).
std::string medicalInfoDocument(Scope scope, const MedicalInfoRequest& request, const Person& person,
                                const Population& population, const Consent& consent);
// The same information as a minimal one-page PDF (ASCII text: kind, institution, period, counts).
std::string medicalInfoPdf(Scope scope, const MedicalInfoRequest& request, const Person& person,
                           const Population& population, const Consent& consent);
// The refusal: header SegmentOfResult 9 with ErrorCode/ErrorMessage, body ProcessingResultStatus 2
// with the same code and message.
std::string medicalInfoRefusalDocument(const MedicalInfoRequest& request, const std::string& code,
                                       const std::string& message);

}  // namespace ksim
