// The card check of a home visit, as profile v1 carries it (JSON, see tests/central-sim/README.md):
// ask the central system for a single-use nonce, then send the card's user-authentication certificate
// with its signature over the nonce (JPKI), or with the staff member who did the visual check (目視確認),
// optionally registering the patient's consent. Answered at once, never queued: a nonce expires.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/eligibility.hpp"
#include "upstream/central_transport.hpp"

namespace kh::upstream {

struct IdentityChallenge {
    std::string nonce;      // raw bytes (the card signs SHA-256 of these)
    std::string expiresAt;  // YYYYMMDDHHmmss, Japan time
};

struct ConsentRequest {
    std::vector<std::string> scopes;  // medication | clinical | checkup
    int medicalTreatmentFlag = 2;     // 2 訪問診療等, 3 オンライン診療等
    std::string examinationDate;      // YYYYMMDD
};

struct IdentityProof {
    std::string method;        // jpki | visual
    std::string nonce;         // raw, as challenged
    std::string certificate;   // DER
    std::string signature;     // raw RSA signature (jpki)
    std::string staffId;       // who checked (required for visual)
    std::optional<ConsentRequest> consent;
};

struct IdentityVerdict {
    model::InsuredIdentity insured;
    std::string qualificationXml;  // OQSsiquc01res, as an inquiry would answer
    std::string verifiedAt;
    std::string certificateSerial;
    std::string consentId;         // empty when no consent was registered
};

class IdentityClient {
public:
    IdentityClient(CentralTransport& transport, std::string institutionCode)
        : transport_(transport), institutionCode_(std::move(institutionCode)) {}
    // Both throw KakehashiError: UpstreamUnavailable (no answer, after one resend with the same request
    // id, which the central system treats as the same request), IdentityRejected (nonce unknown, expired
    // or used; signature or certificate refused) with the central system's code, UpstreamRejected.
    IdentityChallenge challenge();
    IdentityVerdict verify(const IdentityProof& proof);

private:
    CentralResponse postOnceMore(const char* path, const std::string& body);

    CentralTransport& transport_;
    std::string institutionCode_;
};

}  // namespace kh::upstream
