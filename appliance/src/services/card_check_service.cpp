#include "services/card_check_service.hpp"

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
    CardCheckView v;
    std::string requestedBy;
    std::optional<upstream::ConsentRequest> consent;
    std::optional<model::EligibilityInquiry> insured;  // set when the check ends in an inquiry (see modes())
    cardreader::Bytes certificate;  // as read from the card (no personal data on the user-auth cert)
    uint32_t cardEvents = 0;        // the reader's insert/remove count when the card was read
    std::optional<uint32_t> unreadableAt;  // a read failed for this insertion: wait for another card
    bool busy = false;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
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

CardCheckService::CardCheckService(CardCheckPolicy policy, cardreader::ReaderMonitor& readers,
                                   upstream::CentralClient& central, EligibilityService& eligibility,
                                   store::AuditLog& audit, store::Journal& journal)
    : policy_(policy), readers_(readers), central_(central), eligibility_(eligibility), audit_(audit), journal_(journal) {}

CardCheckService::~CardCheckService() { stop(); }

void CardCheckService::start() {
    stopping_ = false;
    loop_ = std::thread([this] { advance(); });
}

void CardCheckService::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        changed_.notify_all();
    }
    if (loop_.joinable()) loop_.join();
}

void CardCheckService::changed(Check& c) {
    c.v.updatedAt = nowSeconds();
    ++c.v.version;
    changed_.notify_all();
    changes_.notify();  // its subscribers only post the news on; nothing here waits
}

std::optional<uint64_t> CardCheckService::version(const std::string& id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = checks_.find(id);
    if (it == checks_.end()) return std::nullopt;
    return it->second->v.version;
}

void CardCheckService::fail(Check& c, CardCheckState next, ErrorId id, const std::string& message) {
    c.v.state = next;
    c.v.hasError = true;
    c.v.error = id;
    c.v.message = message.empty() ? model::errorInfo(id).title : message;
    changed(c);
}

CardCheckView CardCheckService::snapshot(const Check& c) const { return c.v; }

cardreader::CardWorker& CardCheckService::workerFor(const std::string& reader) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& worker = workers_[reader];
    if (!worker) worker = std::make_unique<cardreader::CardWorker>();
    return *worker;
}

std::shared_ptr<CardCheckService::Check> CardCheckService::find(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
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
    c->v.id = crypto::uuid4();
    c->v.reader = request.reader;
    c->v.mode = request.mode;
    c->v.staffId = request.staffId;
    c->v.createdAt = nowSeconds();
    c->requestedBy = request.requestedBy;
    c->consent = request.consent;
    if (modes.visualNeedsInsured) c->insured = request.insured;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const auto& [id, other] : checks_)
            if (other->v.reader == request.reader && !isFinal(other->v.state))
                throw KakehashiError(ErrorId::ReaderBusy, "another card check is open on this reader");
        checks_[c->v.id] = c;
        changed(*c);
    }
    audit_.append(request.staffId, "card-check.opened", c->v.id,
                  std::string("mode=") + modeName(request.mode) + ";client=" + request.requestedBy);
    log::info("card_check.opened", {{"check", c->v.id}, {"mode", modeName(request.mode)}});
    return snapshot(*c);
}

std::optional<CardCheckView> CardCheckService::view(const std::string& id, const std::string& viewer,
                                                    uint64_t seenVersion, std::chrono::milliseconds wait) {
    std::shared_ptr<Check> c;
    CardCheckView v;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        auto it = checks_.find(id);
        if (it == checks_.end()) return std::nullopt;
        c = it->second;
        changed_.wait_for(lock, wait, [&] { return c->v.version > seenVersion || stopping_; });
        v = snapshot(*c);
    }
    if (v.answer) audit_.append(viewer, "card-check.viewed", id, "qualification shown");
    return v;
}

CardCheckView CardCheckService::cancel(const std::string& id, const std::string& actor) {
    auto c = find(id);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (c->busy || isFinal(c->v.state)) throw KakehashiError(ErrorId::CardCheckState, cardCheckStateName(c->v.state));
        c->v.state = CardCheckState::Cancelled;
        changed(*c);
    }
    audit_.append(actor, "card-check.cancelled", id, "");
    return snapshot(*c);
}

// The loop: every change of the readers (and every 200 ms) read the cards put into readers of open
// checks, notice cards taken out or swapped, and end checks that ran past their lifetime.
void CardCheckService::advance() {
    uint64_t seen = 0;
    for (;;) {
        auto readers = readers_.waitForChange(seen, std::chrono::milliseconds(200));
        seen = readers.generation;
        std::vector<std::pair<std::shared_ptr<Check>, uint32_t>> toRead;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_) return;
            auto now = std::chrono::steady_clock::now();
            for (auto it = checks_.begin(); it != checks_.end();) {
                std::shared_ptr<Check> current = it->second;
                Check& c = *current;
                bool old = now - c.started > policy_.lifetime;
                if (old && isFinal(c.v.state) && !c.busy) {
                    it = checks_.erase(it);  // its answer leaves memory with it
                    continue;
                }
                ++it;
                if (c.busy || isFinal(c.v.state)) continue;
                if (old) {
                    fail(c, CardCheckState::Cancelled, ErrorId::CardCheckState, "時間切れのため本人確認を終了しました");
                    continue;
                }
                const cardreader::ReaderInfo* r = readers.serviceUp ? readers.find(c.v.reader) : nullptr;
                bool cardThere = r && r->cardPresent;
                bool waitingForInput = c.v.state == CardCheckState::AwaitingPin || c.v.state == CardCheckState::AwaitingVisualCheck;
                if (waitingForInput && (!cardThere || r->cardEvents != c.cardEvents)) {
                    c.certificate.clear();
                    c.v.triesLeft = -1;
                    c.v.confirmationRequired = false;
                    fail(c, CardCheckState::WaitingForCard, ErrorId::CardRemoved,
                         !readers.serviceUp ? readers.problem
                         : !r               ? "カードリーダーが外されました"
                                            : "カードが離れました。もう一度カードを置いてください");
                } else if (c.v.state == CardCheckState::WaitingForCard && cardThere && c.unreadableAt != r->cardEvents) {
                    c.v.state = CardCheckState::ReadingCard;
                    c.busy = true;
                    changed(c);
                    toRead.emplace_back(current, r->cardEvents);
                }
            }
        }
        for (auto& [c, events] : toRead) {
            c->cardEvents = events;
            readCard(c);
        }
    }
}

void CardCheckService::readCard(const std::shared_ptr<Check>& c) {
    struct Read {
        cardreader::Bytes certificate;
        cardreader::PinStatus pin;
    };
    auto read = std::make_shared<Read>();
    std::string reader = c->v.reader;
    bool pinMode = c->v.mode == CardCheckMode::Pin;
    try {
        workerFor(reader).run(
            [reader, read, pinMode] {
                cardreader::PcscContext context;
                cardreader::CardConnection connection(context, reader);
                cardreader::JpkiCard card(connection);
                card.selectApplication();
                read->certificate = card.readAuthCertificate();
                if (pinMode) read->pin = card.authPinStatus();
            },
            policy_.cardDeadline);
    } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mutex_);
        c->busy = false;
        c->unreadableAt = c->cardEvents;
        log::warn("card_check.read_failed", {{"check", c->v.id}, {"error", e.what()}});
        fail(*c, CardCheckState::WaitingForCard, errorForCard(e), "");
        return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    c->busy = false;
    c->certificate = std::move(read->certificate);
    c->v.hasError = false;
    c->v.message.clear();
    if (!pinMode) {
        c->v.state = CardCheckState::AwaitingVisualCheck;
        changed(*c);
        return;
    }
    c->v.triesLeft = read->pin.blocked ? 0 : read->pin.triesLeft;
    c->v.confirmationRequired = c->v.triesLeft == 1;
    if (read->pin.blocked) {
        log::info("card_check.pin_blocked", {{"check", c->v.id}});
        fail(*c, CardCheckState::Failed, ErrorId::PinBlocked, kMunicipalOffice);
        return;
    }
    c->v.state = CardCheckState::AwaitingPin;
    changed(*c);
}

CardCheckView CardCheckService::submitPin(const std::string& id, std::shared_ptr<cardreader::SecurePin> pin,
                                          bool confirmLastTry, const std::string& actor) {
    auto c = find(id);
    cardreader::Bytes certificate;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (c->busy || c->v.state != CardCheckState::AwaitingPin)
            throw KakehashiError(ErrorId::CardCheckState, std::string("the check is ") + cardCheckStateName(c->v.state));
        if (!pin->wellFormed()) {
            fail(*c, CardCheckState::AwaitingPin, ErrorId::PinFormat, "");
            return snapshot(*c);
        }
        if (c->v.triesLeft == 1 && !confirmLastTry) {
            fail(*c, CardCheckState::AwaitingPin, ErrorId::PinConfirmRequired, "");
            return snapshot(*c);
        }
        c->busy = true;
        c->v.state = CardCheckState::Verifying;
        changed(*c);
        certificate = c->certificate;
    }
    upstream::IdentityChallenge challenge;
    try {
        challenge = challengeOrThrow();  // before the card: with no central system the PIN is never used
    } catch (const KakehashiError& e) {
        std::lock_guard<std::mutex> lock(mutex_);
        c->busy = false;
        fail(*c, CardCheckState::AwaitingPin, e.id(), std::string(e.info().title) + "（暗証番号は使われていません）");
        return snapshot(*c);
    }
    auto signature = std::make_shared<cardreader::Bytes>();
    std::string reader = c->v.reader;
    cardreader::Bytes digestInfo = cardreader::sha256DigestInfo(cardreader::Bytes(challenge.nonce.begin(), challenge.nonce.end()));
    try {
        workerFor(reader).run(
            [reader, pin, digestInfo, certificate, signature] {
                cardreader::PcscContext context;
                cardreader::CardConnection connection(context, reader);
                cardreader::JpkiCard card(connection);
                *signature = card.signWithAuthKey(*pin, digestInfo, certificate);
            },
            policy_.cardDeadline);
    } catch (const std::exception& e) {
        auto* card = dynamic_cast<const CardException*>(&e);
        ErrorId error = errorForCard(e);
        log::info("card_check.pin_refused", {{"check", c->v.id}, {"error", model::errorInfo(error).name}});
        audit_.append(actor, "card-check.pin-refused", id, model::errorInfo(error).name);
        std::lock_guard<std::mutex> lock(mutex_);
        c->busy = false;
        if (error == ErrorId::PinWrong && card->triesLeft() > 0) {
            c->v.triesLeft = card->triesLeft();
            c->v.confirmationRequired = c->v.triesLeft == 1;
            fail(*c, CardCheckState::AwaitingPin, error, "暗証番号が違います。残り" + std::to_string(c->v.triesLeft) + "回です");
        } else if (error == ErrorId::PinWrong || error == ErrorId::PinBlocked) {
            c->v.triesLeft = 0;
            c->v.confirmationRequired = false;
            fail(*c, CardCheckState::Failed, ErrorId::PinBlocked, kMunicipalOffice);
        } else {
            // The card may or may not have counted a try: read it again (and its tries) before any prompt.
            c->certificate.clear();
            c->v.triesLeft = -1;
            c->v.confirmationRequired = false;
            c->unreadableAt.reset();
            fail(*c, CardCheckState::WaitingForCard, error,
                 error == ErrorId::CardRemoved ? "処理中にカードが離れました。カードを置き直すと残り回数を確認します" : "");
        }
        return snapshot(*c);
    }
    verify(c, challenge, bytesText(*signature), actor);
    return snapshot(*c);
}

CardCheckView CardCheckService::confirmVisualCheck(const std::string& id, const std::string& staffId, const std::string& actor) {
    if (!validStaffId(staffId)) throw KakehashiError(ErrorId::InvalidField, "staffId: 確認した担当者を指定してください");
    auto c = find(id);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (c->busy || c->v.state != CardCheckState::AwaitingVisualCheck)
            throw KakehashiError(ErrorId::CardCheckState, std::string("the check is ") + cardCheckStateName(c->v.state));
        c->busy = true;
        c->v.staffId = staffId;
        c->v.state = CardCheckState::Verifying;
        changed(*c);
    }
    if (c->insured) {
        inquireInstead(c, actor);
        return snapshot(*c);
    }
    upstream::IdentityChallenge challenge;
    try {
        challenge = challengeOrThrow();
    } catch (const KakehashiError& e) {
        std::lock_guard<std::mutex> lock(mutex_);
        c->busy = false;
        fail(*c, CardCheckState::AwaitingVisualCheck, e.id(), "");
        return snapshot(*c);
    }
    verify(c, challenge, "", actor);
    return snapshot(*c);
}

// Through a 資格確認端末: the staff member confirmed the face photo, and the qualification comes from an
// ordinary inquiry with the identifiers they read from the card (cached like any answer; a stale one while
// the terminal cannot be reached, said so in the answer).
void CardCheckService::inquireInstead(const std::shared_ptr<Check>& c, const std::string& actor) {
    auto out = eligibility_.inquire(*c->insured, "", eligibility_.policy().liveWait);
    if (out.kind != InquiryOutcome::Kind::Answered) {
        ErrorId error = out.kind == InquiryOutcome::Kind::Queued ? ErrorId::UpstreamUnavailable : out.error;
        audit_.append(actor, "card-check.refused", c->v.id, std::string(model::errorInfo(error).name) + ";inquiry");
        log::warn("card_check.refused", {{"check", c->v.id}, {"error", model::errorInfo(error).name}});
        std::lock_guard<std::mutex> lock(mutex_);
        c->busy = false;
        fail(*c, CardCheckState::AwaitingVisualCheck, error,
             out.centralMessage.empty() ? std::string() : std::string(model::errorInfo(error).title) + "（" + out.centralMessage + "）");
        return;
    }
    audit_.append(c->v.staffId, "card-check.verified", c->v.id, "method=visual+inquiry;client=" + c->requestedBy + ";consent=no");
    log::info("card_check.verified", {{"check", c->v.id}, {"method", "visual+inquiry"}});
    if (onVerified_) {
        try {
            onVerified_(out.answer->result);
        } catch (const std::exception& e) {
            log::warn("card_check.face_file_failed", {{"check", c->v.id}, {"error", e.what()}});
        }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    c->busy = false;
    c->v.answer = *out.answer;
    c->v.verifiedAt = model::japanTimestamp();
    c->v.hasError = false;
    c->v.message = "目視による本人確認と資格確認が完了しました";
    c->v.state = CardCheckState::Verified;
    changed(*c);
}

// The central system's verdict: the qualification goes into the cache, the exchange into the journal,
// the check into the audit log with the staff member who ran it.
void CardCheckService::verify(const std::shared_ptr<Check>& c, const upstream::IdentityChallenge& challenge,
                              std::string signature, const std::string& actor) {
    upstream::IdentityProof proof{modeName(c->v.mode), challenge.nonce, bytesText(c->certificate), std::move(signature),
                                  c->v.staffId, c->consent};
    CardCheckState retryState =
        c->v.mode == CardCheckMode::Pin ? CardCheckState::AwaitingPin : CardCheckState::AwaitingVisualCheck;
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
        audit_.append(actor, "card-check.refused", c->v.id, std::string(e.info().name) + ";" + e.what());
        log::warn("card_check.refused", {{"check", c->v.id}, {"error", e.info().name}, {"detail", e.what()}});
        std::lock_guard<std::mutex> lock(mutex_);
        c->busy = false;
        if (e.id() == ErrorId::IdentityRejected)
            fail(*c, CardCheckState::Failed, e.id(), std::string(e.info().title) + "（" + e.what() + "）");
        else
            fail(*c, retryState, e.id(), "");
        return;
    }
    int64_t now = nowSeconds();
    model::EligibilityInquiry inquiry;
    inquiry.insured = verdict.insured;
    result->inquiry = inquiry;
    eligibility_.remember(inquiry, *result, now);
    journal_.recordExchange("card", std::string("identity-verify ") + proof.method, c->v.id,
                            "method=" + proof.method + ";serial=" + verdict.certificateSerial, spec::serialiseResult(*result));
    audit_.append(c->v.staffId, "card-check.verified", c->v.id,
                  "method=" + proof.method + ";client=" + c->requestedBy + ";consent=" + (verdict.consentId.empty() ? "no" : "yes"));
    log::info("card_check.verified", {{"check", c->v.id}, {"method", proof.method}});
    if (onVerified_) {
        try {
            onVerified_(*result);  // the face file charts pick up, as the terminal's reader leaves one
        } catch (const std::exception& e) {
            log::warn("card_check.face_file_failed", {{"check", c->v.id}, {"error", e.what()}});
        }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    c->busy = false;
    c->v.answer = Answer{*result, "live", false, now};
    c->v.consentId = verdict.consentId;
    c->v.verifiedAt = verdict.verifiedAt;
    c->v.hasError = false;
    c->v.message = "本人確認が完了しました";
    c->v.state = CardCheckState::Verified;
    changed(*c);
}

}  // namespace kh::services
