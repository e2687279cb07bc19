// Card checks on a home visit (居宅同意取得型 / 訪問診療): staff choose a reader, the patient's My Number
// card is read, and identity is confirmed either with the 4-digit PIN (the card signs the central
// system's nonce) or by the staff member's visual check of the face photo (目視確認). The central system
// answers with the qualification (資格情報), which is cached like any other answer, and registers the
// consent when asked. Every check and every view of its result is in the audit log.
//
// PIN rules: tries left are read before every prompt; at one try left the PIN is taken only with an
// explicit confirmation; at zero the check stops and the patient is sent to the municipal office; the
// PIN is checked for format first, used once and wiped — never logged, stored, queued or retried.
#pragma once
#include "base/signal.hpp"
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cardreader/card_access.hpp"
#include "cardreader/reader_monitor.hpp"
#include "cardreader/secure_pin.hpp"
#include "services/eligibility_service.hpp"
#include "store/audit_log.hpp"
#include "store/journal.hpp"
#include "upstream/central_client.hpp"

namespace kh::services {

enum class CardCheckMode { Pin, Visual };
enum class CardCheckState { WaitingForCard, ReadingCard, AwaitingPin, AwaitingVisualCheck, Verifying, Verified, Failed, Cancelled };
const char* cardCheckStateName(CardCheckState s);  // "waiting-for-card", …

struct CardCheckRequest {
    std::string reader;
    CardCheckMode mode = CardCheckMode::Pin;
    std::string staffId;      // the staff member running the check
    std::string requestedBy;  // the API client
    std::optional<upstream::ConsentRequest> consent;
    // Through a 資格確認端末 (no identity check upstream) a visual check is followed by an ordinary
    // qualification inquiry, with the identifiers staff read from the card: required then, unused otherwise.
    std::optional<model::EligibilityInquiry> insured;
};

// What card checks can do over this box's connection upstream (the staff page asks before it offers a mode).
struct CardCheckModes {
    bool pin = true;                // identity by the card's PIN (JPKI) at the central system
    bool consent = true;            // a consent registered in the same step
    bool visualNeedsInsured = false;  // a visual check then needs the insured identifiers (an inquiry follows)
    std::string note;               // why not, in Japanese; empty when everything is offered
};

struct CardCheckView {
    std::string id, reader, staffId;
    CardCheckMode mode = CardCheckMode::Pin;
    CardCheckState state = CardCheckState::WaitingForCard;
    int triesLeft = -1;                 // known after the card was read (PIN mode)
    bool confirmationRequired = false;  // one try left: the PIN is taken only with confirmLastTry
    model::ErrorId error = model::ErrorId::Internal;
    bool hasError = false;              // the last step failed; error and message say why
    std::string message;                // for staff, Japanese
    std::optional<Answer> answer;       // once verified
    std::string consentId, verifiedAt;
    int64_t createdAt = 0, updatedAt = 0;
    uint64_t version = 0;               // grows on every change (long polling)
};

struct CardCheckPolicy {
    std::chrono::milliseconds cardDeadline{15000};  // the watchdog on each card operation
    std::chrono::seconds lifetime{600};             // an unfinished check is cancelled after this
};

class CardCheckService {
public:
    CardCheckService(CardCheckPolicy policy, cardreader::ReaderWatch& readers, cardreader::CardAccess& cards,
                     upstream::CentralClient& central, EligibilityService& eligibility, store::AuditLog& audit,
                     store::Journal& journal);
    ~CardCheckService();
    void start();
    void stop();

    cardreader::ReaderSnapshot readers() const { return readers_.snapshot(); }
    cardreader::ReaderSnapshot waitForReaders(uint64_t seen, std::chrono::milliseconds timeout) const {
        return readers_.waitForChange(seen, timeout);
    }
    // What long polls wait on, holding no thread: the readers' changes, and any card check's next step.
    base::Signal& readerChanges() { return readers_.changes(); }
    base::Signal& checkChanges() { return checkChanged_; }
    // The check's version without viewing it (nothing audited); nullopt for an unknown id.
    std::optional<uint64_t> version(const std::string& id) const;
    // Throws KakehashiError: ReaderUnavailable, ReaderBusy (a check is open on that reader),
    // CardServiceDown, InvalidField.
    CardCheckView open(const CardCheckRequest& request);
    // nullopt for an unknown id. A view that carries patient data is audited as viewed by `viewer`.
    std::optional<CardCheckView> view(const std::string& id, const std::string& viewer, uint64_t seenVersion = 0,
                                      std::chrono::milliseconds wait = std::chrono::milliseconds(0));
    // The PIN is used at most once and wiped. Throws CardCheckState when the check is not waiting for
    // a PIN; every card or central-system failure is reported in the returned view.
    CardCheckView submitPin(const std::string& id, std::shared_ptr<cardreader::SecurePin> pin, bool confirmLastTry,
                            const std::string& actor);
    CardCheckView confirmVisualCheck(const std::string& id, const std::string& staffId, const std::string& actor);
    CardCheckView cancel(const std::string& id, const std::string& actor);
    CardCheckModes modes() const;
    // Every verified card's qualification also goes here (the face/ folder of the file channel).
    void onVerified(std::function<void(const model::EligibilityResult&)> f) { onVerified_ = std::move(f); }

private:
    struct Check;
    class StepLease;
    // Proof that the caller holds mutex_: what a function reading or changing a check's state takes.
    using Held = std::unique_lock<std::mutex>;

    std::shared_ptr<Check> find(const std::string& id);
    void watchReaders();  // the loop: read cards put into readers, notice cards taken out, end old checks
    void readCard(StepLease step);
    void verify(StepLease step, const upstream::IdentityChallenge& challenge, std::string signature,
                const std::string& actor);
    void inquireInstead(StepLease step, const std::string& actor);
    void publish(Check& c, const Held&);  // a new version of the check: long polls and waiters wake
    upstream::IdentityChallenge challengeOrThrow();
    [[noreturn]] static void throwFor(const upstream::Failure& f);
    // Moves the check to `next` (final or not) with the problem staff are shown.
    void setProblem(Check& c, CardCheckState next, model::ErrorId id, const std::string& message, const Held&);

    CardCheckPolicy policy_;
    cardreader::ReaderWatch& readers_;
    cardreader::CardAccess& cards_;
    upstream::CentralClient& central_;
    EligibilityService& eligibility_;
    store::AuditLog& audit_;
    store::Journal& journal_;
    mutable std::mutex mutex_;  // guards checks_, every Check, stopping_
    std::condition_variable checkChangedCv_;
    base::Signal checkChanged_;
    std::map<std::string, std::shared_ptr<Check>> checks_;
    std::function<void(const model::EligibilityResult&)> onVerified_;
    bool stopping_ = false;
    std::thread loop_;
};

// The error of the shared table for a card failure.
model::ErrorId errorForCard(const std::exception& e);

}  // namespace kh::services
