// Profile central-v1 of the CentralClient: HTTPS with mutual TLS (HttpsTransport) to the central system's
// base URL, the interface's XmlMsg documents as bodies, JSON for the card check, the home-reception URL and
// withdrawals. The profile is defined by the simulator's documentation (tests/central-sim/README.md).
#pragma once
#include <string>

#include "upstream/central_client.hpp"
#include "upstream/central_transport.hpp"

namespace kh::upstream {

class CentralV1Client : public CentralClient {
public:
    CentralV1Client(CentralTransport& transport, std::string institutionCode)
        : transport_(transport), institutionCode_(std::move(institutionCode)) {}

    const char* profile() const override { return "central-v1"; }
    bool supports(Capability) const override { return true; }
    Outcome<model::EligibilityResult> inquire(const std::string& requestId, const model::EligibilityInquiry& q,
                                              const std::string& fileIdentifier, SendTurn* turn) override;
    Outcome<BatchReceipt> uploadBatch(const std::string& requestId, const std::vector<model::EligibilityInquiry>& entries,
                                      const std::string& fileIdentifier, SendTurn* turn) override;
    Outcome<BatchDownload> downloadBatch(const std::string& receptionNumber, BatchKind kind) override;
    Outcome<std::vector<model::ReferenceNumberResult>> registerReferenceNumbers(
        const std::string& requestId, const std::vector<model::ReferenceNumberRegistration>& entries,
        const std::string& fileIdentifier, SendTurn* turn) override;
    Outcome<BatchReceipt> requestConsentList(const std::string& requestId, const ConsentListQuery& q) override;
    Outcome<BatchReceipt> requestMedicalAidList(const std::string& requestId, const std::string& month,
                                                const std::string& fileIdentifier) override;
    Outcome<model::MedicalInfoResult> medicalInfo(const std::string& requestId, const model::MedicalInfoRequest& r) override;
    Outcome<WithdrawalPage> withdrawals(const std::string& since) override;
    Outcome<std::string> homeReceptionUrl() override;
    Outcome<IdentityChallenge> identityChallenge(const std::string& requestId) override;
    Outcome<IdentityVerdict> identityVerify(const std::string& requestId, const IdentityProof& proof) override;
    Outcome<bool> probe() override;

private:
    CentralTransport& transport_;
    std::string institutionCode_;
};

}  // namespace kh::upstream
