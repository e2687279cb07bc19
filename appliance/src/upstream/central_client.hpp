// The one typed client of the central system (オンライン資格確認等システム). Services call it in model types;
// a profile behind it turns each call into its own wire format:
//  - central-v1: HTTPS with mutual TLS to a base URL, the interface's XmlMsg documents as bodies (the
//    profile the simulator in tests/central-sim implements and documents);
//  - terminal: files on the share of the facility's existing 資格確認端末, as receipt computers write them.
// Every call is one exchange. Retries, the durable outbound queue (Outbox, Dispatcher) and the circuit
// breaker stay with the callers; a queued call carries the request id it was given when it was queued,
// so a resend after a crash is recognised as the same request, whichever the profile.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/eligibility.hpp"
#include "model/medical_info.hpp"
#include "model/reference_number.hpp"

namespace kh::upstream {

// Why a call brought no answer.
struct Failure {
    enum class Kind {
        Unreachable,  // no answer at all (refused connection, timeout, the share away): worth trying again
        Refused,      // the central system (or the terminal) answered with a refusal: final
        Unsupported,  // this profile cannot do it (a terminal has no card-check endpoint)
    };
    Kind kind = Kind::Unreachable;
    std::string code;     // the central system's own code (ErrorCode, ProcessingResultCode), when it gave one
    std::string message;  // its message (Japanese), or what went wrong on the way (never patient data)
    int status = 0;       // central-v1: the HTTP status; 0 otherwise
    int retryAfterSeconds = 0;
    std::string document;  // the refusing document as received, when there is one (passed on whole)
};

template <typename T>
struct Outcome {
    std::optional<T> answer;
    Failure failure;  // when there is no answer

    bool ok() const { return answer.has_value(); }
    static Outcome of(T value) { return Outcome{std::move(value), {}}; }
    static Outcome failed(Failure f) { return Outcome{std::nullopt, std::move(f)}; }
    static Outcome unreachable(std::string why, int retryAfterSeconds = 0) {
        return failed({Failure::Kind::Unreachable, "", std::move(why), 0, retryAfterSeconds, ""});
    }
    static Outcome refused(std::string code, std::string message, int status = 0) {
        return failed({Failure::Kind::Refused, std::move(code), std::move(message), status, 0, ""});
    }
};

// The first phase of a two-phase request (batches, consent lists, 医療扶助): the central system's number.
struct BatchReceipt {
    std::string receptionNumber;
    std::string receivedAt;  // ReceptionDateTime, YYYYMMDDHHmmss
};

// Which second phase a reception number belongs to (the terminal names its files by it).
enum class BatchKind { Qualifications, ConsentHomeVisit, ConsentOnline, MedicalAid };

// The second phase: still processing, or every unit (each result whole, as received).
struct BatchDownload {
    bool processing = false;
    int retryAfterSeconds = 0;
    std::vector<model::EligibilityResult> units;
};

struct ConsentListQuery {  // 同意取得済み患者の資格情報 (OQSmuhvq / OQSmuonq)
    model::MedicalTreatment treatment = model::MedicalTreatment::HomeVisit;
    std::string consentFrom, consentTo, examinationFrom, examinationTo;  // YYYYMMDD; one range
    std::string fileIdentifier;
};

struct Withdrawal {  // a patient withdrew their consents (閲覧同意の取消し)
    model::InsuredIdentity insured;
    std::string withdrawnAt;  // YYYYMMDDHHmmss, Japan time
};

struct WithdrawalPage {
    std::vector<Withdrawal> withdrawals;
    std::string asOf;  // ask for what came after this next time
};

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
    std::string method;       // jpki | visual
    std::string nonce;        // raw, as challenged
    std::string certificate;  // DER
    std::string signature;    // raw RSA signature (jpki)
    std::string staffId;      // who checked (required for visual)
    std::optional<ConsentRequest> consent;
};

struct IdentityVerdict {
    model::InsuredIdentity insured;
    model::EligibilityResult qualification;  // as an inquiry would answer
    std::string verifiedAt;
    std::string certificateSerial;
    std::string consentId;  // empty when no consent was registered
};

enum class Capability { IdentityCheck, HomeReceptionUrl, Withdrawals };

// A queued call's place in the Dispatcher's order. Several queued calls may be under way at once (the
// terminal answers many files at a time), yet they must reach the other side in queue order: a profile calls
// handedOver() as soon as the other side has the request (central-v1: the HTTP request is about to be
// written; terminal: the file is in req/, or was already taken or answered), and only then does the
// Dispatcher start the next call. Returning from the call counts as handed over.
class SendTurn {
public:
    virtual ~SendTurn() = default;
    virtual void handedOver() = 0;
};

// A face-reader result that arrived unasked (the terminal's face/ folder): its file name and bytes.
using FaceFileHandler = std::function<void(const std::string& name, const std::string& bytes)>;

class CentralClient {
public:
    virtual ~CentralClient() = default;
    virtual const char* profile() const = 0;  // "central-v1" | "terminal"
    virtual bool supports(Capability c) const = 0;

    // A profile's own background work runs between start() and stop() (the terminal: its folder watcher and
    // the face/ relay). stop() also ends the waits of calls under way: they come back Unreachable.
    virtual void start() {}
    virtual void stop() {}
    // Where face-reader results that arrive unasked go (set before start(); a profile without any ignores it).
    virtual void onFaceFile(FaceFileHandler) {}

    // The calls the Outbox queues (inquire, uploadBatch, registerReferenceNumbers) carry their place in the
    // Dispatcher's order (`turn`; nullptr when the caller keeps none).
    // 資格確認 (OQSsiquc01). A refusal of the whole message (SegmentOfResult 9) is a Failure carrying the
    // central system's ErrorCode and ErrorMessage.
    virtual Outcome<model::EligibilityResult> inquire(const std::string& requestId, const model::EligibilityInquiry& q,
                                                      const std::string& fileIdentifier, SendTurn* turn) = 0;
    // 一括照会 (OQSmuquc01) and the second phase of every batch-like request.
    virtual Outcome<BatchReceipt> uploadBatch(const std::string& requestId, const std::vector<model::EligibilityInquiry>& entries,
                                              const std::string& fileIdentifier, SendTurn* turn) = 0;
    virtual Outcome<BatchDownload> downloadBatch(const std::string& receptionNumber, BatchKind kind) = 0;
    // 照会番号登録 (OQSsiimm01 for one, OQSmuimm01 for several): the outcome of each entry, in order.
    virtual Outcome<std::vector<model::ReferenceNumberResult>> registerReferenceNumbers(
        const std::string& requestId, const std::vector<model::ReferenceNumberRegistration>& entries,
        const std::string& fileIdentifier, SendTurn* turn) = 0;
    // 同意取得済み患者の資格情報 (OQSmuhvq01 / OQSmuonq01); then downloadBatch.
    virtual Outcome<BatchReceipt> requestConsentList(const std::string& requestId, const ConsentListQuery& q) = 0;
    // 医療扶助 of a month (OQSmutic01, MedicalTreatmentMonth yyyyMM); then downloadBatch.
    virtual Outcome<BatchReceipt> requestMedicalAidList(const std::string& requestId, const std::string& month,
                                                        const std::string& fileIdentifier) = 0;
    // 薬剤・特定健診等・診療情報 (YZKsiquc01 / TKKsiquc01): the document as received (XML or PDF).
    virtual Outcome<model::MedicalInfoResult> medicalInfo(const std::string& requestId, const model::MedicalInfoRequest& r) = 0;
    virtual Outcome<WithdrawalPage> withdrawals(const std::string& since) = 0;
    virtual Outcome<std::string> homeReceptionUrl() = 0;  // マイナ在宅受付Web (IF-039/040)
    // Card checks on home visits: a single-use nonce, then the card's proof (or a visual check).
    virtual Outcome<IdentityChallenge> identityChallenge(const std::string& requestId) = 0;
    virtual Outcome<IdentityVerdict> identityVerify(const std::string& requestId, const IdentityProof& proof) = 0;
    // A lightweight look at the link (a TLS handshake; the share's folders), for a truthful link status.
    // A failure's message says in Japanese what is wrong.
    virtual Outcome<bool> probe() = 0;
};

}  // namespace kh::upstream
