// Tests of CardCheckService with a fake reader, a fake card and a fake central system: the PIN path and
// its refusals (a wrong PIN, the last try, a locked card), the visual check (目視確認), one step at a
// time on a check when two requests race, cancelling, and the lifetime and card deadlines.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "../error_of.hpp"
#include "../temp_dir.hpp"
#include "fake_central.hpp"
#include "cardreader/card_error.hpp"
#include "model/errors.hpp"
#include "services/card_check_service.hpp"
#include "store/eligibility_cache.hpp"
#include "store/outbound_queue.hpp"

using namespace kh;
using cardreader::CardException;
using cardreader::CardFailure;
using model::ErrorId;
using services::CardCheckMode;
using services::CardCheckState;
using services::CardCheckView;
using test::errorOf;

namespace {
constexpr auto kPatience = std::chrono::seconds(10);  // only reached when the service is broken
const std::string kReader = "Fake Reader 00 00";

// One reader whose card the test puts in and takes out; every change is a new generation.
class FakeReaders : public cardreader::ReaderWatch {
public:
    FakeReaders() {
        cardreader::ReaderInfo reader;
        reader.name = kReader;
        snapshot_.serviceUp = true;
        snapshot_.readers.push_back(reader);
    }

    void putCard() { change([](cardreader::ReaderInfo& r) { r.cardPresent = true, ++r.cardEvents; }); }
    void takeCard() { change([](cardreader::ReaderInfo& r) { r.cardPresent = false, ++r.cardEvents; }); }

    cardreader::ReaderSnapshot snapshot() const override {
        std::lock_guard<std::mutex> l(mutex_);
        return snapshot_;
    }
    cardreader::ReaderSnapshot waitForChange(uint64_t seen, std::chrono::milliseconds timeout) const override {
        std::unique_lock<std::mutex> l(mutex_);
        looked_ = std::max(looked_, seen);
        changed_.notify_all();
        changed_.wait_for(l, timeout, [&] { return snapshot_.generation > seen; });
        return snapshot_;
    }
    base::Signal& changes() override { return signal_; }

    // Returns once the watcher has dealt with the current generation: it asks for the one after.
    void waitUntilLookedAt() const {
        std::unique_lock<std::mutex> l(mutex_);
        uint64_t now = snapshot_.generation;
        REQUIRE(changed_.wait_for(l, kPatience, [&] { return looked_ >= now; }));
    }

private:
    void change(const std::function<void(cardreader::ReaderInfo&)>& f) {
        {
            std::lock_guard<std::mutex> l(mutex_);
            f(snapshot_.readers[0]);
            ++snapshot_.generation;
        }
        changed_.notify_all();
        signal_.notify();
    }
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    cardreader::ReaderSnapshot snapshot_;
    mutable uint64_t looked_ = 0;
    base::Signal signal_;
};

// The card: what a read gives and what a signature does are the test's; calls are counted, and a
// signature can be held at the card until the test lets it go.
class FakeCards : public cardreader::CardAccess {
public:
    cardreader::PinStatus pin{3, false};
    std::function<cardreader::Bytes()> onRead = [] { return bytes("CERT"); };
    std::function<cardreader::Bytes(const std::string& pin)> onSign = [](const std::string&) { return bytes("SIG"); };
    std::atomic<int> reads{0}, signs{0};
    std::atomic<bool> askedForPinStatus{false};
    std::string readFrom;                   // the reader named
    cardreader::Bytes certificateExpected;  // what the signature was held to

    static cardreader::Bytes bytes(const std::string& s) { return cardreader::Bytes(s.begin(), s.end()); }

    cardreader::CardReading read(const std::string& reader, bool withPinStatus, std::chrono::milliseconds) override {
        {
            std::lock_guard<std::mutex> l(mutex_);
            readFrom = reader;
            askedForPinStatus = withPinStatus;
            ++reads;
        }
        cardreader::CardReading r;
        r.certificate = onRead();
        if (withPinStatus) r.pin = pin;
        return r;
    }
    cardreader::Bytes sign(const std::string&, std::shared_ptr<cardreader::SecurePin> typed, const cardreader::Bytes&,
                           const cardreader::Bytes& certificate, std::chrono::milliseconds) override {
        std::unique_lock<std::mutex> l(mutex_);
        certificateExpected = certificate;
        ++signs;
        signing_ = true;
        changed_.notify_all();
        changed_.wait(l, [&] { return !holdSignature_; });
        signing_ = false;
        std::string digits(typed->data(), cardreader::SecurePin::kLength);
        l.unlock();
        return onSign(digits);
    }

    void holdSignatures() {
        std::lock_guard<std::mutex> l(mutex_);
        holdSignature_ = true;
    }
    void waitUntilSigning() {
        std::unique_lock<std::mutex> l(mutex_);
        REQUIRE(changed_.wait_for(l, kPatience, [&] { return signing_; }));
    }
    void releaseSignatures() {
        std::lock_guard<std::mutex> l(mutex_);
        holdSignature_ = false;
        changed_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool holdSignature_ = false, signing_ = false;
};

// The central system with the card-check endpoints: a nonce, and a verdict for every proof it gets.
class IdentityCentral : public test::FakeCentral {
public:
    std::vector<upstream::IdentityProof> proofs;
    std::function<Answer<upstream::IdentityVerdict>(const upstream::IdentityProof&)> onVerify = [](const upstream::IdentityProof&) {
        upstream::IdentityVerdict v;
        v.insured = {"01130012", "", "5678", "01", "19800101"};
        v.qualification.records.resize(1);
        v.verifiedAt = "20261207101500";
        v.certificateSerial = "42";
        return Answer<upstream::IdentityVerdict>::of(v);
    };

    Answer<upstream::IdentityChallenge> identityChallenge(const std::string&) override {
        return Answer<upstream::IdentityChallenge>::of({"NONCE", "20261207102000"});
    }
    Answer<upstream::IdentityVerdict> identityVerify(const std::string&, const upstream::IdentityProof& proof) override {
        {
            std::lock_guard<std::mutex> l(mutex_);
            proofs.push_back(proof);
        }
        return onVerify(proof);
    }

private:
    std::mutex mutex_;
};

std::shared_ptr<cardreader::SecurePin> pinOf(const std::string& digits) {
    auto pin = std::make_shared<cardreader::SecurePin>();
    for (char c : digits) pin->push(c);
    return pin;
}

struct Rig {
    test::TempDir dir;
    store::Store store{dir.path + "/k.db", dir.path + "/keys"};
    store::AuditLog audit{store};
    store::Journal journal{store};
    store::EligibilityCache cache{store};
    store::OutboundQueue queue{store};
    IdentityCentral central;
    upstream::Outbox outbox{queue, "1312345679"};
    upstream::CircuitBreaker breaker{100, 10};
    upstream::Dispatcher dispatcher{queue, outbox, central, breaker, upstream::BackoffSettings{10, 20}};
    services::EligibilityService eligibility{{"1312345679"}, store.key(), cache, outbox, dispatcher, breaker};
    FakeReaders readers;
    FakeCards cards;
    services::CardCheckService service;
    std::vector<model::EligibilityResult> verified;

    explicit Rig(services::CardCheckPolicy policy = {})
        : service(policy, readers, cards, central, eligibility, audit, journal) {
        service.onVerified([this](const model::EligibilityResult& r) { verified.push_back(r); });
        service.start();
    }
    ~Rig() { service.stop(); }

    CardCheckView open(CardCheckMode mode = CardCheckMode::Pin) {
        services::CardCheckRequest request;
        request.reader = kReader;
        request.mode = mode;
        request.staffId = "staff-1";
        request.requestedBy = "tablet";
        return service.open(request);
    }
    // A check opened and its card put in, once the card is read: waiting for the PIN or the staff's look.
    std::string cardIn(CardCheckMode mode = CardCheckMode::Pin) {
        auto id = open(mode).id;
        readers.putCard();
        waitFor(id, mode == CardCheckMode::Pin ? CardCheckState::AwaitingPin : CardCheckState::AwaitingVisualCheck);
        return id;
    }
    // Waits for the check's next versions until it is in `state`.
    CardCheckView waitFor(const std::string& id, CardCheckState state) {
        auto deadline = std::chrono::steady_clock::now() + kPatience;
        uint64_t seen = 0;
        for (;;) {
            auto v = service.view(id, "test", seen, std::chrono::milliseconds(500));
            REQUIRE(v);
            if (v->state == state) return *v;
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            seen = v->version;
        }
    }
    std::vector<std::string> audited(const std::string& action) {
        std::vector<std::string> out;
        for (const auto& e : audit.recent(action, 20)) out.push_back(e.actor + " " + e.subject + " " + e.detail);
        return out;
    }
};
}  // namespace

TEST_CASE("the PIN path: card read, tries shown, nonce signed, qualification answered and audited", "[services][card-check]") {
    Rig rig;
    auto opened = rig.open();
    CHECK(opened.state == CardCheckState::WaitingForCard);
    rig.readers.putCard();
    auto waiting = rig.waitFor(opened.id, CardCheckState::AwaitingPin);
    CHECK(waiting.triesLeft == 3);
    CHECK_FALSE(waiting.confirmationRequired);
    CHECK(rig.cards.askedForPinStatus);
    CHECK(rig.cards.readFrom == kReader);

    std::string typed;
    rig.cards.onSign = [&](const std::string& pin) {
        typed = pin;
        return FakeCards::bytes("SIG");
    };
    auto done = rig.service.submitPin(opened.id, pinOf("1234"), false, "tablet");
    CHECK(done.state == CardCheckState::Verified);
    CHECK_FALSE(done.hasError);
    REQUIRE(done.answer);
    CHECK(done.answer->source == "live");
    CHECK(done.answer->result.inquiry.insured.cardNumber == "5678");
    CHECK(typed == "1234");
    CHECK(rig.cards.certificateExpected == FakeCards::bytes("CERT"));  // the card is held to the one read
    REQUIRE(rig.central.proofs.size() == 1);
    const auto& proof = rig.central.proofs[0];
    CHECK(proof.method == "jpki");
    CHECK(proof.nonce == "NONCE");
    CHECK(proof.certificate == "CERT");
    CHECK(proof.signature == "SIG");
    CHECK(proof.staffId == "staff-1");
    CHECK(rig.verified.size() == 1);
    CHECK(rig.eligibility.peek(done.answer->result.inquiry));
    auto verifiedRows = rig.audited("card-check.verified");
    REQUIRE(verifiedRows.size() == 1);
    CHECK(verifiedRows[0] == "staff-1 " + opened.id + " method=jpki;client=tablet;consent=no");
    // A verified check takes no second PIN.
    CHECK(errorOf([&] { rig.service.submitPin(opened.id, pinOf("1234"), false, "tablet"); }) == ErrorId::CardCheckState);
    CHECK(rig.cards.signs == 1);
}

TEST_CASE("a wrong PIN says the tries left, the last try needs a confirmation, and then the card is locked", "[services][card-check]") {
    Rig rig;
    auto id = rig.cardIn();
    int left = 2;
    rig.cards.onSign = [&](const std::string&) -> cardreader::Bytes {
        throw CardException(CardFailure::PinWrong, "63C" + std::to_string(left), left);
    };

    auto wrong = rig.service.submitPin(id, pinOf("9999"), false, "tablet");
    CHECK(wrong.state == CardCheckState::AwaitingPin);
    CHECK(wrong.error == ErrorId::PinWrong);
    CHECK(wrong.triesLeft == 2);
    CHECK(wrong.message == "暗証番号が違います。残り2回です");

    left = 1;
    auto last = rig.service.submitPin(id, pinOf("8888"), false, "tablet");
    CHECK(last.triesLeft == 1);
    CHECK(last.confirmationRequired);
    CHECK(rig.cards.signs == 2);
    // At one try left the PIN is not taken without the confirmation: the card is not asked at all.
    auto unconfirmed = rig.service.submitPin(id, pinOf("7777"), false, "tablet");
    CHECK(unconfirmed.error == ErrorId::PinConfirmRequired);
    CHECK(unconfirmed.state == CardCheckState::AwaitingPin);
    CHECK(rig.cards.signs == 2);

    left = 0;
    auto locked = rig.service.submitPin(id, pinOf("7777"), true, "tablet");
    CHECK(rig.cards.signs == 3);
    CHECK(locked.state == CardCheckState::Failed);
    CHECK(locked.error == ErrorId::PinBlocked);
    CHECK(locked.triesLeft == 0);
    CHECK(locked.message.find("市区町村の窓口") != std::string::npos);
    CHECK(rig.central.proofs.empty());
    CHECK(rig.audited("card-check.pin-refused").size() == 3);
    CHECK(errorOf([&] { rig.service.submitPin(id, pinOf("1234"), true, "tablet"); }) == ErrorId::CardCheckState);
}

TEST_CASE("a card whose PIN is locked already ends the check before any PIN is asked for", "[services][card-check]") {
    Rig rig;
    rig.cards.pin = {0, true};
    auto id = rig.open().id;
    rig.readers.putCard();
    auto failed = rig.waitFor(id, CardCheckState::Failed);
    CHECK(failed.error == ErrorId::PinBlocked);
    CHECK(failed.triesLeft == 0);
    CHECK(errorOf([&] { rig.service.submitPin(id, pinOf("1234"), true, "tablet"); }) == ErrorId::CardCheckState);
    CHECK(rig.cards.signs == 0);
    CHECK(rig.central.proofs.empty());
}

TEST_CASE("a malformed PIN never reaches the card", "[services][card-check]") {
    Rig rig;
    auto id = rig.cardIn();
    auto v = rig.service.submitPin(id, pinOf("12a"), false, "tablet");
    CHECK(v.error == ErrorId::PinFormat);
    CHECK(v.state == CardCheckState::AwaitingPin);
    CHECK(rig.cards.signs == 0);
}

TEST_CASE("a visual check (目視確認) needs no PIN: the staff member who looked is the one recorded", "[services][card-check]") {
    Rig rig;
    auto id = rig.cardIn(CardCheckMode::Visual);
    CHECK_FALSE(rig.cards.askedForPinStatus);
    CHECK(errorOf([&] { rig.service.submitPin(id, pinOf("1234"), false, "tablet"); }) == ErrorId::CardCheckState);
    CHECK(errorOf([&] { rig.service.confirmVisualCheck(id, "", "tablet"); }) == ErrorId::InvalidField);

    auto done = rig.service.confirmVisualCheck(id, "staff-2", "tablet");
    CHECK(done.state == CardCheckState::Verified);
    CHECK(done.staffId == "staff-2");
    REQUIRE(rig.central.proofs.size() == 1);
    CHECK(rig.central.proofs[0].method == "visual");
    CHECK(rig.central.proofs[0].signature.empty());
    CHECK(rig.central.proofs[0].staffId == "staff-2");
    CHECK(rig.cards.signs == 0);
    auto rows = rig.audited("card-check.verified");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].rfind("staff-2 ", 0) == 0);
}

TEST_CASE("a visual check refused by the central system can be confirmed again; a rejected card ends it", "[services][card-check]") {
    Rig rig;
    auto id = rig.cardIn(CardCheckMode::Visual);
    rig.central.onVerify = [](const upstream::IdentityProof&) {
        return test::FakeCentral::Answer<upstream::IdentityVerdict>::unreachable("down");
    };
    auto again = rig.service.confirmVisualCheck(id, "staff-2", "tablet");
    CHECK(again.state == CardCheckState::AwaitingVisualCheck);
    CHECK(again.error == ErrorId::UpstreamUnavailable);
    CHECK(rig.central.proofs.size() == 2);  // one resend with the same request id

    rig.central.onVerify = [](const upstream::IdentityProof&) {
        return test::FakeCentral::Answer<upstream::IdentityVerdict>::failed(
            {upstream::Failure::Kind::Refused, "E403", "certificate revoked", 403, 0, ""});
    };
    auto rejected = rig.service.confirmVisualCheck(id, "staff-2", "tablet");
    CHECK(rejected.state == CardCheckState::Failed);
    CHECK(rejected.error == ErrorId::IdentityRejected);
    CHECK(rig.verified.empty());
}

TEST_CASE("two requests racing for one check: one step at a time, the other is refused", "[services][card-check]") {
    Rig rig;
    auto id = rig.cardIn();
    rig.cards.holdSignatures();
    auto first = std::async(std::launch::async, [&] { return rig.service.submitPin(id, pinOf("1234"), false, "tablet-1"); });
    rig.cards.waitUntilSigning();
    CHECK(rig.service.view(id, "test")->state == CardCheckState::Verifying);
    // While the first is at the card: a second PIN, a cancel and a visual confirmation are all refused.
    CHECK(errorOf([&] { rig.service.submitPin(id, pinOf("5678"), false, "tablet-2"); }) == ErrorId::CardCheckState);
    CHECK(errorOf([&] { rig.service.cancel(id, "tablet-2"); }) == ErrorId::CardCheckState);
    CHECK(errorOf([&] { rig.service.confirmVisualCheck(id, "staff-2", "tablet-2"); }) == ErrorId::CardCheckState);
    // Taking the card out meanwhile does not pull the check from under the step.
    rig.readers.takeCard();
    rig.readers.waitUntilLookedAt();
    CHECK(rig.service.view(id, "test")->state == CardCheckState::Verifying);
    rig.cards.releaseSignatures();
    auto done = first.get();
    CHECK(done.state == CardCheckState::Verified);
    CHECK(rig.cards.signs == 1);
    CHECK(rig.central.proofs.size() == 1);
}

TEST_CASE("a cancelled check reads no card and takes no PIN; a reader takes one open check", "[services][card-check]") {
    Rig rig;
    auto id = rig.open().id;
    CHECK(errorOf([&] { rig.open(); }) == ErrorId::ReaderBusy);
    auto cancelled = rig.service.cancel(id, "tablet");
    CHECK(cancelled.state == CardCheckState::Cancelled);
    CHECK(errorOf([&] { rig.service.cancel(id, "tablet"); }) == ErrorId::CardCheckState);
    rig.readers.putCard();
    rig.readers.waitUntilLookedAt();
    CHECK(rig.cards.reads == 0);
    CHECK(errorOf([&] { rig.service.submitPin(id, pinOf("1234"), false, "tablet"); }) == ErrorId::CardCheckState);
    CHECK(rig.audited("card-check.cancelled").size() == 1);
    // The reader is free again.
    auto next = rig.open();
    rig.waitFor(next.id, CardCheckState::AwaitingPin);
    CHECK(rig.cards.reads == 1);
}

TEST_CASE("the card taken out while the PIN is awaited: the check waits for it again", "[services][card-check]") {
    Rig rig;
    auto id = rig.cardIn();
    rig.readers.takeCard();
    auto waiting = rig.waitFor(id, CardCheckState::WaitingForCard);
    CHECK(waiting.error == ErrorId::CardRemoved);
    CHECK(waiting.triesLeft == -1);
    CHECK(errorOf([&] { rig.service.submitPin(id, pinOf("1234"), false, "tablet"); }) == ErrorId::CardCheckState);
    rig.readers.putCard();
    rig.waitFor(id, CardCheckState::AwaitingPin);
    CHECK(rig.cards.reads == 2);
}

TEST_CASE("a card that does not answer in time is not read again until it is put in again", "[services][card-check]") {
    Rig rig;
    std::atomic<bool> answer{false};
    rig.cards.onRead = [&] {
        if (!answer) throw CardException(CardFailure::Timeout, "watchdog");
        return FakeCards::bytes("CERT");
    };
    auto id = rig.open().id;
    rig.readers.putCard();
    rig.readers.waitUntilLookedAt();
    auto stuck = rig.service.view(id, "test");
    REQUIRE(stuck);
    CHECK(stuck->state == CardCheckState::WaitingForCard);
    CHECK(stuck->error == ErrorId::CardTimeout);
    rig.readers.takeCard();  // a look at the readers without a new card: no second read
    rig.readers.waitUntilLookedAt();
    CHECK(rig.cards.reads == 1);
    answer = true;
    rig.readers.takeCard();
    rig.readers.putCard();
    rig.waitFor(id, CardCheckState::AwaitingPin);
    CHECK(rig.cards.reads == 2);
}

TEST_CASE("a check still open past its lifetime is ended", "[services][card-check]") {
    Rig rig({std::chrono::milliseconds(1000), std::chrono::seconds(0)});
    auto id = rig.open().id;
    auto ended = rig.waitFor(id, CardCheckState::Cancelled);
    CHECK(ended.hasError);
    CHECK(ended.message == "時間切れのため本人確認を終了しました");
    CHECK(rig.cards.reads == 0);
}
