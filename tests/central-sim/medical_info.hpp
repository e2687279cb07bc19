// Medical information: 薬剤情報 (medication, YZKsiquc01), 特定健診等情報 (checkup, TKKsiquc01) and
// 診療情報 (clinical: the YZKsiquc01 answer with the 診療行為 of each day, as receipt computers ask for
// 薬剤診療). Requests and answers have the shapes receipt computers write and read (the notes' §3 and
// §4): the patient is named by the insurance card alone — no birth date — and the answer carries the
// patient in its header and ResultCode 1, or ResultCode 2 with MessageContents when refused.
//
// The records are synthetic and deterministic from the person's identifiers and today's date (Japan
// time): medication dispensed every four weeks over the last three months, yearly checkups for ages 40
// and over. Drug, procedure and checkup-item codes and institution names are made up (drug and
// procedure codes start with 99, item codes with SIM) and must not be taken for real codes.
#pragma once
#include <string>

#include "consents.hpp"
#include "population.hpp"

namespace ksim {

// YZKsiquc01req / TKKsiquc01req as received (header names differ from the check request).
struct MedicalInfoRequest {
    std::string institutionCode;          // MessageHeader/MedicalInstitutionCode
    std::string insurerNumber;            // MessageHeader/InsurerNumber (国保: may come space-padded)
    std::string cardSymbol;               // MessageHeader/InsuranceCardSymbol
    std::string cardNumber;               // MessageHeader/InsuredPersonIdentificationNumber
    std::string branchNumber;             // MessageHeader/BranchNumber (may be empty)
    std::string arbitraryFileIdentifier;  // MessageHeader/ArbitraryFileIdentifier
    std::string birthDate;                // MessageBody/Birthdate: the earlier shape only; narrows the match
    std::string startDate, endDate;       // MessageBody/StartDate, EndDate: YYYYMM (YYYYMMDD accepted)
    std::string fileCategory;             // MessageBody/FileCategory: 1/3 PDF, 2/4 XML
    std::string classification;           // MessageBody/PrDiInfClassification (read, not used)
    std::string treatmentFlag;            // MessageBody/MedicalTreatmentFlag: 1 外来, 2 訪問, 3 オンライン
};

// The answer document with the records of the scope in the request's period (all checkups when no
// period is given; medication up to today).
std::string medicalInfoDocument(Scope scope, const MedicalInfoRequest& request, const Person& person,
                                const Population& population);
// The same information as a minimal one-page PDF (ASCII text: kind, institution, period, counts, the
// consent's AvailableTime; no patient data).
std::string medicalInfoPdf(Scope scope, const MedicalInfoRequest& request, const Person& person,
                           const Population& population, const std::string& availableTime);
// The refusal: header ResultCode 2, MessageContents (Japanese) and the simulator's ProcessingResultCode
// (SIM-CNS-00x); empty body.
std::string medicalInfoRefusalDocument(const MedicalInfoRequest& request, const std::string& code,
                                       const std::string& message);

}  // namespace ksim
