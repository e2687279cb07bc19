// Reads the request documents of profile v1 (OQSsiquc01req, OQSmuquc01req) from untrusted bytes: any
// DOCTYPE or ENTITY declaration is refused before parsing, external entities are off, the size is
// capped by the caller. Liberal in what it reads: any element order, unknown elements ignored,
// namespace prefixes dropped, every child optional.
#pragma once
#include <string>
#include <vector>

namespace ksim {

// QualificationConfirmSearchInfo, values as received (echoed back verbatim).
struct SearchInfo {
    std::string insurerNumber, cardSymbol, cardNumber, branchNumber, birthDate;
    std::string limitConsentFlag;  // LimitApplicationCertificateRelatedConsFlg
    std::string arbitraryIdentifier;
};

struct RequestHeader {
    std::string confirmationDate;         // QualificationConfirmationDate
    std::string institutionCode;          // MedicalInstitutionCode
    std::string arbitraryFileIdentifier;  // ArbitraryFileIdentifier
};

struct QualificationRequest {
    RequestHeader header;
    std::vector<SearchInfo> searches;  // every QualificationConfirmSearchInfo under MessageBody
};

struct ReadResult {
    bool ok = false;
    std::string error;  // for the ErrorMessage of a 400 answer; never contains patient data
    QualificationRequest request;
};

ReadResult readQualificationRequest(const std::string& body);

}  // namespace ksim
