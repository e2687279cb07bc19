// 照会番号 (reference numbers): a facility registers its own patient-card number (診察券番号) against an
// insured person (OQSsiimm / OQSmuimm); the central system keeps it per institution and echoes it in
// qualification results. It is never a query key on its own.
#pragma once
#include <string>
#include <vector>

#include "model/codes.hpp"
#include "model/eligibility.hpp"

namespace kh::model {

// ReferenceNumberRegistrationInfo. The insured's birth date is not part of a registration.
struct ReferenceNumberRegistration {
    std::string referenceNumber;  // 1..20 of [A-Za-z0-9-]
    InsuredIdentity insured;      // birthDate unused
};

// ReferenceNumber, then the insured keys checked as for a qualification check (without Birthdate).
std::vector<FieldError> validate(const ReferenceNumberRegistration& registration);

// ReferenceNumberRegistrationResult: the outcome of one registration.
struct ReferenceNumberResult {
    std::string referenceNumber;
    std::string processingStatus = "1";  // ProcessingResultStatus: 1 正常終了, 2 エラー
    std::string processingCode;          // ProcessingResultCode (opaque)
    std::string processingMessage;
};

}  // namespace kh::model
