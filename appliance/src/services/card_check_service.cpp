#include "services/card_check_service.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

#include "base/log.hpp"
#include "cardreader/jpki_card.hpp"
#include "crypto/primitives.hpp"
#include "spec/stored_result.hpp"

namespace kh::services {
namespace {
using cardreader::CardException;
using cardreader::CardFailure;
using model::ErrorId;
using model::KakehashiError;

constexpr const char* kMunicipalOffice =
    "暗証番号がロックされています。お住まいの市区町村の窓口で初期化の手続きをしてください。"
    "本日の本人確認は目視確認で行えます。";

int64_t nowSeconds() { return model::unixSeconds(std::chrono::system_clock::now()); }

bool isFinal(CardCheckState s) {
    return s == CardCheckState::Verified || s == CardCheckState::Failed || s == CardCheckState::Cancelled;
}

const char* modeName(CardCheckMode m) { return m == CardCheckMode::Pin ? "jpki" : "visual"; }

bool validStaffId(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7F) return false;
    return true;
}

std::string bytesText(const cardreader::Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace

const char* cardCheckStateName(CardCheckState s) {
    switch (s) {
    case CardCheckState::WaitingForCard: return "waiting-for-card";
    case CardCheckState::ReadingCard: return "reading-card";
    case CardCheckState::AwaitingPin: return "awaiting-pin";
    case CardCheckState::AwaitingVisualCheck: return "awaiting-visual-check";
    case CardCheckState::Verifying: return "verifying";
    case CardCheckState::Verified: return "verified";
    case CardCheckState::Failed: return "failed";
    case CardCheckState::Cancelled: return "cancelled";
    }
    return "failed";
}

ErrorId errorForCard(const std::exception& e) {
    auto* card = dynamic_cast<const CardException*>(&e);
    if (!card) {
        auto* k = dynamic_cast<const KakehashiError*>(&e);
        return k ? k->id() : ErrorId::Internal;
    }
    switch (card->failure()) {
    case CardFailure::ServiceUnavailable: return ErrorId::CardServiceDown;
    case CardFailure::NoReader: return ErrorId::ReaderUnavailable;
    case CardFailure::NoCard: return ErrorId::CardAbsent;
    case CardFailure::CardRemoved:
    case CardFailure::CardReset: return ErrorId::CardRemoved;
    case CardFailure::ReaderBusy: return ErrorId::ReaderBusy;
    case CardFailure::Timeout: return ErrorId::CardTimeout;
    case CardFailure::NotMyNumberCard: return ErrorId::NotMyNumberCard;
    case CardFailure::PinWrong: return ErrorId::PinWrong;
    case CardFailure::PinBlocked: return ErrorId::PinBlocked;
    case CardFailure::PinFormat: return ErrorId::PinFormat;
    case CardFailure::CardError: return ErrorId::CardFailed;
    }
    return ErrorId::CardFailed;
}

struct CardCheckService::Check {
    CardCheckView view;
    std::string requestedBy;
    std::optional<upstream::ConsentRequest> consent;
    std::optional<model::EligibilityInquiry> insured;  // set when the check ends in an inquiry (see modes())
    cardreader::Bytes certificate;  // as read from the card (no personal data on the user-auth cert)
    uint32_t cardEvents = 0;        // the reader's insert/remove count when the card was read
    std::optional<uint32_t> unreadableAt;  // a read failed for this insertion: wait for another card
    bool stepUnderWay = false;      // a StepLease is out; only StepLease sets and clears it
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// One step at a time on a check: the right to work on it outside the mutex (a card operation, a call to
// the central system). Taken while holding the mutex, and only when no other step is under way; while
// it is out, cancelling and every other step are refused. `end()` gives it back and returns the mutex
// held, so the step's outcome is published in the same moment as its end; if the step leaves by an
// exception instead, the destructor gives it back.
class CardCheckService::StepLease {
public:
    StepLease(CardCheckService& service, std::shared_ptr<Check> check, const Held&)
        : service_(&service), check_(std::move(check)) {
        if (check_->stepUnderWay) throw std::logic_error("a step is already under way on this card check");
        check_->stepUnderWay = true;
    }
    StepLease(StepLease&& other) noexcept
        : service_(other.service_), check_(std::move(other.check_)), out_(std::exchange(other.out_, false)) {}
    StepLease& operator=(StepLease&&) = delete;
    ~StepLease() {
        if (out_) end();
    }

    Check& check() const { return *check_; }
    const std::string& id() const { return check_->view.id; }

    Held end() {
        Held held(service_->mutex_);
        check_->stepUnderWay = false;
        out_ = false;
        return held;
    }

private:
    CardCheckService* service_;
    std::shared_ptr<Check> check_;
    bool out_ = true;
};

// A failed identity call as the error staff see: not reachable, refused (the card or the nonce), or not
// offered by this connection to the central system (a 資格確認端末 has no card-check endpoint).
void CardCheckService::throwFor(const upstream::Failure& f) {
    using Kind = upstream::Failure::Kind;
    std::string detail = f.code.empty() ? f.message : f.code + " " + f.message;
    if (f.kind == Kind::Unreachable) throw KakehashiError(ErrorId::UpstreamUnavailable, detail);
    if (f.kind == Kind::Unsupported) throw KakehashiError(ErrorId::IdentityUnsupported, "");
    if (f.status == 403) throw KakehashiError(ErrorId::IdentityRejected, detail);
    throw KakehashiError(ErrorId::UpstreamRejected, detail);
}

upstream::IdentityChallenge CardCheckService::challengeOrThrow() {
    const std::string requestId = crypto::uuid4();
    auto outcome = central_.identityChallenge(requestId);
    if (!outcome.ok() && outcome.failure.kind == upstream::Failure::Kind::Unreachable) outcome = central_.identityChallenge(requestId);
    if (!outcome.ok()) throwFor(outcome.failure);
    return *outcome.answer;
}

CardCheckService::CardCheckService(CardCheckPolicy policy, cardreader::ReaderWatch& readers, cardreader::CardAccess& cards,
                                   upstream::CentralClient& central, EligibilityService& eligibility,
                                   store::AuditLog& audit, store::Journal& journal)
    : policy_(policy), readers_(readers), cards_(cards), central_(central), eligibility_(eligibility), audit_(audit),
      journal_(journal) {}

CardCheckService::~CardCheckService() { stop(); }

void CardCheckService::start() {
    stopping_ = false;
    loop_ = std::thread([this] { watchReaders(); });
}

void CardCheckService::stop() {
    {
        Held held(mutex_);
        stopping_ = true;
        checkChangedCv_.notify_all();
    }
    if (loop_.joinable()) loop_.join();
}

void CardCheckService::publish(Check& c, const Held&) {
    c.view.updatedAt = nowSeconds();
    ++c.view.version;
    checkChangedCv_.notify_all();
    checkChanged_.notify();  // its subscribers only post the news on; nothing here waits
}

std::optional<uint64_t> CardCheckService::version(const std::string& id) const {
    Held held(mutex_);
    auto it = checks_.find(id);
    if (it == checks_.end()) return std::nullopt;
    return it->second->view.version;
}

void CardCheckService::setProblem(Check& c, CardCheckState next, ErrorId id, const std::string& message, const Held& held) {
    c.view.state = next;
    c.view.hasError = true;
    c.view.error = id;
    c.view.message = message.empty() ? model::errorInfo(id).title : message;
    publish(c, held);
}

std::shared_ptr<CardCheckService::Check> CardCheckService::find(const std::string& id) {
    Held held(mutex_);
    auto it = checks_.find(id);
    if (it == checks_.end()) throw KakehashiError(ErrorId::NotFound, "no such card check");
    return it->second;
}

CardCheckModes CardCheckService::modes() const {
    CardCheckModes m;
    if (central_.supports(upstream::Capability::IdentityCheck)) return m;
    m.pin = false;
    m.consent = false;
    m.visualNeedsInsured = true;
    m.note = "資格確認端末経由の接続では暗証番号による本人確認と同意の登録ができません。"
             "目視確認のあと、カードの被保険者番号などで資格を照会します";
    return m;
}

CardCheckView CardCheckService::open(const CardCheckRequest& request) {
    if (!validStaffId(request.staffId))
        throw KakehashiError(ErrorId::InvalidField, "staffId: 担当者を指定してください (1–64 characters)");
    const CardCheckModes modes = this->modes();
    if (request.mode == CardCheckMode::Pin && !modes.pin) throw KakehashiError(ErrorId::IdentityUnsupported, "");
    if (request.consent && !modes.consent)
        throw KakehashiError(ErrorId::InvalidField, "consent: 資格確認端末経由の接続では同意をここで登録できません "
                                                    "(no consent registration through the terminal)");
    if (modes.visualNeedsInsured) {
        if (!request.insured)
            throw KakehashiError(ErrorId::InvalidField, "insured: 資格確認端末経由の接続では保険者番号・記号・番号・枝番・生年月日が必要です "
                                                        "(the insured identifiers are required through the terminal)");
        if (auto errors = model::validate(*request.insured); !errors.empty())
            throw KakehashiError(ErrorId::InvalidField, "insured: " + model::describe(errors));
    }
    auto readers = readers_.snapshot();
    if (!readers.serviceUp) throw KakehashiError(ErrorId::CardServiceDown, readers.problem);
    if (!readers.find(request.reader)) throw KakehashiError(ErrorId::ReaderUnavailable, "reader: no such reader");
    auto c = std::make_shared<Check>();
    c->view.id = crypto::uuid4();
    c->view.reader = request.reader;
    c->view.mode = request.mode;
    c->view.staffId = request.staffId;
    c->view.createdAt = nowSeconds();
    c->requestedBy = request.requestedBy;
    c->consent = request.consent;
    if (modes.visualNeedsInsured) c->insured = request.insured;
    CardCheckView opened;
    {
        Held held(mutex_);
        for (const auto& [id, other] : checks_)
            if (other->view.reader == request.reader && !isFinal(other->view.state))
                throw KakehashiError(ErrorId::ReaderBusy, "another card check is open on this reader");
        checks_[c->view.id] = c;
        publish(*c, held);
        opened = c->view;
    }
    audit_.append(request.staffId, "card-check.opened", opened.id,
                  std::string("mode=") + modeName(request.mode) + ";client=" + request.requestedBy);
    log::info("card_check.opened", {{"check", opened.id}, {"mode", modeName(request.mode)}});
    return opened;
}

std::optional<CardCheckView> CardCheckService::view(const std::string& id, const std::string& viewer,
                                                    uint64_t seenVersion, std::chrono::milliseconds wait) {
    CardCheckView v;
    {
        Held held(mutex_);
        auto it = checks_.find(id);
        if (it == checks_.end()) return std::nullopt;
        std::shared_ptr<Check> c = it->second;
        checkChangedCv_.wait_for(held, wait, [&] { return c->view.version > seenVersion || stopping_; });
        v = c->view;
    }
    if (v.answer) audit_.append(viewer, "card-check.viewed", id, "qualification shown");
    return v;
}

CardCheckView CardCheckService::cancel(const std::string& id, const std::string& actor) {
    auto c = find(id);
    CardCheckView cancelled;
    {
        Held held(mutex_);
        if (c->stepUnderWay || isFinal(c->view.state))
            throw KakehashiError(ErrorId::CardCheckState, cardCheckStateName(c->view.state));
        c->view.state = CardCheckState::Cancelled;
        publish(*c, held);
        cancelled = c->view;
    }
    audit_.append(actor, "card-check.cancelled", id, "");
    return cancelled;
}

// The loop: every change of the readers (and every 200 ms) read the cards put into readers of open
// checks, notice cards taken out or swapped, and end checks that ran past their lifetime.
void CardCheckService::watchReaders() {
    uint64_t seen = 0;
    for (;;) {
        auto readers = readers_.waitForChange(seen, std::chrono::milliseconds(200));
        seen = readers.generation;
        std::vector<StepLease> toRead;
        {
            Held held(mutex_);
            if (stopping_) return;
            auto now = std::chrono::steady_clock::now();
            for (auto it = checks_.begin(); it != checks_.end();) {
                std::shared_ptr<Check> current = it->second;
                Check& c = *current;
                bool old = now - c.started > policy_.lifetime;
                if (old && isFinal(c.view.state) && !c.stepUnderWay) {
                    it = checks_.erase(it);  // its answer leaves memory with it
                    continue;
                }
                ++it;
                if (c.stepUnderWay || isFinal(c.view.state)) continue;
                if (old) {
                    setProblem(c, CardCheckState::Cancelled, ErrorId::CardCheckState, "時間切れのため本人確認を終了しました", held);
                    continue;
                }
                const cardreader::ReaderInfo* r = readers.serviceUp ? readers.find(c.view.reader) : nullptr;
                bool cardThere = r && r->cardPresent;
                bool waitingForInput = c.view.state == CardCheckState::AwaitingPin || c.view.state == CardCheckState::AwaitingVisualCheck;
                if (waitingForInput && (!cardThere || r->cardEvents != c.cardEvents)) {
                    c.certificate.clear();
                    c.view.triesLeft = -1;
                    c.view.confirmationRequired = false;
                    setProblem(c, CardCheckState::WaitingForCard, ErrorId::CardRemoved,
                               !readers.serviceUp ? readers.problem
                               : !r               ? "カードリーダーが外されました"
                                                  : "カードが離れました。もう一度カードを置いてください",
                               held);
                } else if (c.view.state == CardCheckState::WaitingForCard && cardThere && c.unreadableAt != r->cardEvents) {
                    toRead.emplace_back(*this, current, held);
                    c.cardEvents = r->cardEvents;
                    c.view.state = CardCheckState::ReadingCard;
                    publish(c, held);
                }
            }
        }
        for (auto& step : toRead) readCard(std::move(step));
    }
}

void CardCheckService::readCard(StepLease step) {
    Check& c = step.check();
    const bool pinMode = c.view.mode == CardCheckMode::Pin;
    cardreader::CardReading read;
    try {
        read = cards_.read(c.view.reader, pinMode, policy_.cardDeadline);  // the reader's name never changes
    } catch (const std::exception& e) {
        log::warn("card_check.read_failed", {{"check", step.id()}, {"error", e.what()}});
        Held held = step.end();
        c.unreadableAt = c.cardEvents;
        setProblem(c, CardCheckState::WaitingForCard, errorForCard(e), "", held);
        return;
    }
    Held held = step.end();
    c.certificate = std::move(read.certificate);
    c.view.hasError = false;
    c.view.message.clear();
    if (!pinMode) {
        c.view.state = CardCheckState::AwaitingVisualCheck;
        publish(c, held);
        return;
    }
    c.view.triesLeft = read.pin.blocked ? 0 : read.pin.triesLeft;
    c.view.confirmationRequired = c.view.triesLeft == 1;
    if (read.pin.blocked) {
        log::info("card_check.pin_blocked", {{"check", c.view.id}});
        setProblem(c, CardCheckState::Failed, ErrorId::PinBlocked, kMunicipalOffice, held);
        return;
    }
    c.view.state = CardCheckState::AwaitingPin;
    publish(c, held);
}

CardCheckView CardCheckService::submitPin(const std::string& id, std::shared_ptr<cardreader::SecurePin> pin,
                                          bool confirmLastTry, const std::string& actor) {
    auto found = find(id);
    std::optional<StepLease> step;
    cardreader::Bytes certificate;
    std::string reader;
    {
        Held held(mutex_);
        Check& c = *found;
        if (c.stepUnderWay || c.view.state != CardCheckState::AwaitingPin)
            throw KakehashiError(ErrorId::CardCheckState, std::string("the check is ") + cardCheckStateName(c.view.state));
        if (!pin->wellFormed()) {
            setProblem(c, CardCheckState::AwaitingPin, ErrorId::PinFormat, "", held);
            return c.view;
        }
        if (c.view.triesLeft == 1 && !confirmLastTry) {
            setProblem(c, CardCheckState::AwaitingPin, ErrorId::PinConfirmRequired, "", held);
            return c.view;
        }
        step.emplace(*this, found, held);
        c.view.state = CardCheckState::Verifying;
        publish(c, held);
        certificate = c.certificate;
        reader = c.view.reader;
    }
    Check& c = step->check();
    upstream::IdentityChallenge challenge;
    try {
        challenge = challengeOrThrow();  // before the card: with no central system the PIN is never used
    } catch (const KakehashiError& e) {
        Held held = step->end();
        setProblem(c, CardCheckState::AwaitingPin, e.id(), std::string(e.info().title) + "（暗証番号は使われていません）", held);
        return c.view;
    }
    cardreader::Bytes digestInfo = cardreader::sha256DigestInfo(cardreader::Bytes(challenge.nonce.begin(), challenge.nonce.end()));
    cardreader::Bytes signature;
    try {
        signature = cards_.sign(reader, pin, digestInfo, certificate, policy_.cardDeadline);
    } catch (const std::exception& e) {
        auto* card = dynamic_cast<const CardException*>(&e);
        ErrorId error = errorForCard(e);
        log::info("card_check.pin_refused", {{"check", id}, {"error", model::errorInfo(error).name}});
        audit_.append(actor, "card-check.pin-refused", id, model::errorInfo(error).name);
        Held held = step->end();
        if (error == ErrorId::PinWrong && card->triesLeft() > 0) {
            c.view.triesLeft = card->triesLeft();
            c.view.confirmationRequired = c.view.triesLeft == 1;
            setProblem(c, CardCheckState::AwaitingPin, error, "暗証番号が違います。残り" + std::to_string(c.view.triesLeft) + "回です",
                       held);
        } else if (error == ErrorId::PinWrong || error == ErrorId::PinBlocked) {
            c.view.triesLeft = 0;
            c.view.confirmationRequired = false;
            setProblem(c, CardCheckState::Failed, ErrorId::PinBlocked, kMunicipalOffice, held);
        } else {
            // The card may or may not have counted a try: read it again (and its tries) before any prompt.
            c.certificate.clear();
            c.view.triesLeft = -1;
            c.view.confirmationRequired = false;
            c.unreadableAt.reset();
            setProblem(c, CardCheckState::WaitingForCard, error,
                       error == ErrorId::CardRemoved ? "処理中にカードが離れました。カードを置き直すと残り回数を確認します" : "",
                       held);
        }
        return c.view;
    }
    auto answered = found;  // keeps the check while verify ends the step
    verify(std::move(*step), challenge, bytesText(signature), actor);
    Held held(mutex_);
    return answered->view;
}

CardCheckView CardCheckService::confirmVisualCheck(const std::string& id, const std::string& staffId, const std::string& actor) {
    if (!validStaffId(staffId)) throw KakehashiError(ErrorId::InvalidField, "staffId: 確認した担当者を指定してください");
    auto found = find(id);
    std::optional<StepLease> step;
    {
        Held held(mutex_);
        Check& c = *found;
        if (c.stepUnderWay || c.view.state != CardCheckState::AwaitingVisualCheck)
            throw KakehashiError(ErrorId::CardCheckState, std::string("the check is ") + cardCheckStateName(c.view.state));
        step.emplace(*this, found, held);
        c.view.staffId = staffId;
        c.view.state = CardCheckState::Verifying;
        publish(c, held);
    }
    if (found->insured) {
        inquireInstead(std::move(*step), actor);
    } else {
        upstream::IdentityChallenge challenge;
        try {
            challenge = challengeOrThrow();
        } catch (const KakehashiError& e) {
            Held held = step->end();
            setProblem(*found, CardCheckState::AwaitingVisualCheck, e.id(), "", held);
            return found->view;
        }
        verify(std::move(*step), challenge, "", actor);
    }
    Held held(mutex_);
    return found->view;
}

// Through a 資格確認端末: the staff member confirmed the face photo, and the qualification comes from an
// ordinary inquiry with the identifiers they read from the card (cached like any answer; a stale one while
// the terminal cannot be reached, said so in the answer).
void CardCheckService::inquireInstead(StepLease step, const std::string& actor) {
    Check& c = step.check();
    auto out = eligibility_.inquire(*c.insured, "", eligibility_.policy().liveWait);
    if (out.kind != InquiryOutcome::Kind::Answered) {
        ErrorId error = out.kind == InquiryOutcome::Kind::Queued ? ErrorId::UpstreamUnavailable : out.error;
        audit_.append(actor, "card-check.refused", step.id(), std::string(model::errorInfo(error).name) + ";inquiry");
        log::warn("card_check.refused", {{"check", step.id()}, {"error", model::errorInfo(error).name}});
        Held held = step.end();
        setProblem(c, CardCheckState::AwaitingVisualCheck, error,
                   out.centralMessage.empty() ? std::string() : std::string(model::errorInfo(error).title) + "（" + out.centralMessage + "）",
                   held);
        return;
    }
    audit_.append(c.view.staffId, "card-check.verified", step.id(), "method=visual+inquiry;client=" + c.requestedBy + ";consent=no");
    log::info("card_check.verified", {{"check", step.id()}, {"method", "visual+inquiry"}});
    if (onVerified_) {
        try {
            onVerified_(out.answer->result);
        } catch (const std::exception& e) {
            log::warn("card_check.face_file_failed", {{"check", step.id()}, {"error", e.what()}});
        }
    }
    Held held = step.end();
    c.view.answer = *out.answer;
    c.view.verifiedAt = model::japanTimestamp();
    c.view.hasError = false;
    c.view.message = "目視による本人確認と資格確認が完了しました";
    c.view.state = CardCheckState::Verified;
    publish(c, held);
}

// The central system's verdict: the qualification goes into the cache, the exchange into the journal,
// the check into the audit log with the staff member who ran it.
void CardCheckService::verify(StepLease step, const upstream::IdentityChallenge& challenge, std::string signature,
                              const std::string& actor) {
    Check& c = step.check();
    upstream::IdentityProof proof{modeName(c.view.mode), challenge.nonce, bytesText(c.certificate), std::move(signature),
                                  c.view.staffId, c.consent};
    CardCheckState retryState =
        c.view.mode == CardCheckMode::Pin ? CardCheckState::AwaitingPin : CardCheckState::AwaitingVisualCheck;
    upstream::IdentityVerdict verdict;
    std::optional<model::EligibilityResult> result;
    try {
        const std::string requestId = crypto::uuid4();
        auto outcome = central_.identityVerify(requestId, proof);
        // One resend with the same request id: the central system answers it once and acts on it once.
        if (!outcome.ok() && outcome.failure.kind == upstream::Failure::Kind::Unreachable)
            outcome = central_.identityVerify(requestId, proof);
        if (!outcome.ok()) throwFor(outcome.failure);
        verdict = std::move(*outcome.answer);
        result = verdict.qualification;
    } catch (const KakehashiError& e) {
        audit_.append(actor, "card-check.refused", step.id(), std::string(e.info().name) + ";" + e.what());
        log::warn("card_check.refused", {{"check", step.id()}, {"error", e.info().name}, {"detail", e.what()}});
        Held held = step.end();
        if (e.id() == ErrorId::IdentityRejected)
            setProblem(c, CardCheckState::Failed, e.id(), std::string(e.info().title) + "（" + e.what() + "）", held);
        else
            setProblem(c, retryState, e.id(), "", held);
        return;
    }
    int64_t now = nowSeconds();
    model::EligibilityInquiry inquiry;
    inquiry.insured = verdict.insured;
    result->inquiry = inquiry;
    eligibility_.remember(inquiry, *result, now);
    journal_.recordExchange("card", std::string("identity-verify ") + proof.method, step.id(),
                            "method=" + proof.method + ";serial=" + verdict.certificateSerial, spec::serialiseResult(*result));
    audit_.append(c.view.staffId, "card-check.verified", step.id(),
                  "method=" + proof.method + ";client=" + c.requestedBy + ";consent=" + (verdict.consentId.empty() ? "no" : "yes"));
    log::info("card_check.verified", {{"check", step.id()}, {"method", proof.method}});
    if (onVerified_) {
        try {
            onVerified_(*result);  // the face file charts pick up, as the terminal's reader leaves one
        } catch (const std::exception& e) {
            log::warn("card_check.face_file_failed", {{"check", step.id()}, {"error", e.what()}});
        }
    }
    Held held = step.end();
    c.view.answer = Answer{*result, "live", false, now};
    c.view.consentId = verdict.consentId;
    c.view.verifiedAt = verdict.verifiedAt;
    c.view.hasError = false;
    c.view.message = "本人確認が完了しました";
    c.view.state = CardCheckState::Verified;
    publish(c, held);
}

}  // namespace kh::services
