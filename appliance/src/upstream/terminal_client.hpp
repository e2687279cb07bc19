// Profile "terminal" of the CentralClient: the facility's existing 資格確認端末, reached through its shared
// folder (SMB or a mounted path). Each call is written as the request file a receipt computer would write —
// the same documents central-v1 sends — and its answer is read back from res/ (TerminalExchange). Unasked
// face-reader results in face/ are relayed (TerminalFaceRelay).
//
// What the terminal's file interface has no equivalent for is Unsupported, with a Japanese message: the PIN
// card check (identity challenge and verify), the マイナ在宅受付Web URL (set it by hand), withdrawals of consent
// (a consent then ends with its window), and 診療情報 (no file prefix of its own).
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "store/terminal_requests.hpp"
#include "upstream/central_client.hpp"
#include "upstream/share_folder.hpp"
#include "upstream/terminal_exchange.hpp"
#include "upstream/terminal_face_relay.hpp"

namespace kh::upstream {

class TerminalClient : public CentralClient {
public:
    TerminalClient(std::unique_ptr<ShareFolder> share, store::TerminalRequests& ledger, TerminalOptions options,
                   std::string institutionCode);
    ~TerminalClient() override;

    const char* profile() const override { return "terminal"; }
    bool supports(Capability) const override { return false; }
    void start() override;
    void stop() override;
    void onFaceFile(FaceFileHandler handler) override { faceHandler_ = std::move(handler); }

    Outcome<model::EligibilityResult> inquire(const std::string& requestId, const model::EligibilityInquiry& q,
                                              const std::string& fileIdentifier, SendTurn* turn) override;
    Outcome<BatchReceipt> uploadBatch(const std::string& requestId, const std::vector<model::EligibilityInquiry>& entries,
                                      const std::string& fileIdentifier, SendTurn* turn) override;
    // Writes a new …02req each time (a new name, as receipt computers do); SegmentOfResult 2 is "processing".
    Outcome<BatchDownload> downloadBatch(const std::string& receptionNumber, BatchKind kind) override;
    // OQSsiimm01 for one entry, OQSmuimm01 for several; when the terminal answers with a reception number,
    // its second phase (OQSmuimm02) is polled until the results are there.
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

    TerminalExchange& exchange() { return exchange_; }
    TerminalFaceRelay& faceRelay() { return face_; }

private:
    Outcome<std::vector<model::ReferenceNumberResult>> referenceNumberResults(const std::string& receptionNumber);

    std::unique_ptr<ShareFolder> share_;
    TerminalExchange exchange_;
    TerminalFaceRelay face_;
    FaceFileHandler faceHandler_;
    std::string institutionCode_;
};

}  // namespace kh::upstream
