// Tests of EligibilityService, the 資格確認 policy: a fresh cached answer is served without asking anyone; a
// stale one is not served while the central system can be asked, but is served (marked stale) during an
// outage while the live check waits in the queue; with nothing cached an outage queues the inquiry, and the
// answer comes when the link returns. Only real answers enter the cache, under the person's blind index.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>

#include "services/eligibility_service.hpp"
#include "services/identity_index.hpp"
#include "upstream_rig.hpp"

using namespace kh;
using services::InquiryOutcome;
using test::FakeCentral;

namespace {
using Answered = FakeCentral::Answer<model::EligibilityResult>;
constexpr auto kWait = std::chrono::milliseconds(5000);
constexpr int64_t kDay = 86400;

struct Rig : test::UpstreamRig {
    store::EligibilityCache cache{store};
    services::EligibilityService service;
    std::atomic<bool> up{true};
    std::atomic<int> asked{0};

    ~Rig() { dispatcher.stop(); }  // its threads call the answers below, which use this rig

    explicit Rig(int64_t freshSeconds = -1)
        : service({test::kInstitution, freshSeconds, std::chrono::milliseconds(5000)}, store.key(), cache, outbox, dispatcher,
                  breaker) {
        central.onInquire = [this](const model::EligibilityInquiry& q) {
            ++asked;
            return up ? Answered::of(test::validAnswer(q, "中央 回答")) : Answered::unreachable("HTTP 503");
        };
    }
};
}  // namespace

TEST_CASE("a fresh cached answer is served from the cache without a call upstream", "[services][eligibility]") {
    Rig rig;
    auto q = test::inquiryFor("1001");
    rig.service.remember(q, test::validAnswer(q, "記憶 花子"), test::nowSeconds());
    auto mine = q;
    mine.arbitraryIdentifier = "THIS-REQUEST";
    auto out = rig.service.inquire(mine, "", kWait);
    REQUIRE(out.kind == InquiryOutcome::Kind::Answered);
    CHECK(out.answer->source == "cache");
    CHECK_FALSE(out.answer->stale);
    CHECK(out.answer->result.records.at(0).name == "記憶 花子");
    CHECK(out.answer->result.inquiry.arbitraryIdentifier == "THIS-REQUEST");  // this request's echo, not the first one's
    CHECK(rig.central.calls == 0);
    CHECK(rig.service.counters().cacheHits == 1);
}

TEST_CASE("a stale cached answer is not served while the central system answers", "[services][eligibility]") {
    Rig rig;
    auto q = test::inquiryFor("1002");
    rig.service.remember(q, test::validAnswer(q, "昨日 の回答"), test::nowSeconds() - 2 * kDay);
    auto out = rig.service.inquire(q, "", kWait);
    REQUIRE(out.kind == InquiryOutcome::Kind::Answered);
    CHECK(out.answer->source == "live");
    CHECK_FALSE(out.answer->stale);
    CHECK(out.answer->result.records.at(0).name == "中央 回答");
    CHECK(rig.asked == 1);
    // The live answer replaced the old one: the next inquiry is a fresh hit.
    auto again = rig.service.inquire(q, "", kWait);
    CHECK(again.answer->source == "cache");
    CHECK(again.answer->result.records.at(0).name == "中央 回答");
    CHECK(rig.asked == 1);
}

TEST_CASE("freshness is the policy's seconds when set, else the same Japan day", "[services][eligibility]") {
    SECTION("freshSeconds 60: an answer 61 s old is asked again") {
        Rig rig(60);
        auto q = test::inquiryFor("1003");
        rig.service.remember(q, test::validAnswer(q), test::nowSeconds() - 61);
        CHECK(rig.service.peek(q)->stale);
        CHECK(rig.service.inquire(q, "", kWait).answer->source == "live");
    }
    SECTION("freshSeconds 3600: an answer a minute old is served") {
        Rig rig(3600);
        auto q = test::inquiryFor("1004");
        rig.service.remember(q, test::validAnswer(q), test::nowSeconds() - 60);
        CHECK(rig.service.inquire(q, "", kWait).answer->source == "cache");
        CHECK(rig.central.calls == 0);
    }
    SECTION("by day: yesterday's answer is stale") {
        Rig rig;
        auto q = test::inquiryFor("1005");
        rig.service.remember(q, test::validAnswer(q), test::nowSeconds() - kDay);
        CHECK(rig.service.peek(q)->stale);
    }
}

TEST_CASE("during an outage a stale answer is served marked stale, and the live check still goes out",
          "[services][eligibility][outage]") {
    Rig rig;
    rig.up = false;
    rig.linkDown();
    auto q = test::inquiryFor("1006");
    int64_t confirmed = test::nowSeconds() - 3 * kDay;
    rig.service.remember(q, test::validAnswer(q, "三日前 の回答"), confirmed);

    auto out = rig.service.inquire(q, "", kWait);
    REQUIRE(out.kind == InquiryOutcome::Kind::Answered);
    CHECK(out.answer->source == "cache");
    CHECK(out.answer->stale);
    CHECK(out.answer->confirmedAt == confirmed);  // how old it really is
    REQUIRE(out.ticket > 0);                      // the live check waits in the queue
    CHECK(rig.service.counters().staleAnswers == 1);

    rig.up = true;  // the link returns: the queued check refreshes the cache
    REQUIRE(rig.dispatcher.waitFor(out.ticket, kWait));
    auto settled = rig.service.follow(out.ticket, q);
    REQUIRE(settled.kind == InquiryOutcome::Kind::Answered);
    CHECK(settled.answer->source == "live");
    auto now = rig.service.peek(q);
    REQUIRE(now);
    CHECK_FALSE(now->stale);
    CHECK(now->result.records.at(0).name == "中央 回答");
}

TEST_CASE("during an outage with nothing cached the inquiry is queued and answered when the link returns",
          "[services][eligibility][outage]") {
    Rig rig;
    rig.up = false;
    rig.linkDown();
    auto q = test::inquiryFor("1007");
    auto out = rig.service.inquire(q, "F-1", kWait);
    REQUIRE(out.kind == InquiryOutcome::Kind::Queued);
    REQUIRE(out.ticket > 0);
    CHECK_FALSE(out.requestId.empty());
    CHECK(rig.service.counters().queued == 1);
    CHECK(rig.service.follow(out.ticket, q).kind == InquiryOutcome::Kind::Queued);

    rig.up = true;
    REQUIRE(rig.dispatcher.waitFor(out.ticket, kWait));
    auto settled = rig.service.follow(out.ticket, q);
    REQUIRE(settled.kind == InquiryOutcome::Kind::Answered);
    CHECK(settled.answer->result.records.at(0).name == "中央 回答");
    CHECK(rig.central.requestIds.back() == out.requestId);  // it went up under the id it was queued with
    CHECK(rig.service.peek(q));
}

TEST_CASE("an HTTP caller's inquiry: begin queues, settle answers live, or stale at the deadline",
          "[services][eligibility]") {
    Rig rig;
    auto q = test::inquiryFor("1008");
    // The central system takes its time: the call is under way, the link still up, until released.
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    struct Gate {  // released however the test ends, before the rig stops its dispatcher
        std::promise<void>& p;
        bool open = false;
        void operator()() {
            if (!open) p.set_value();
            open = true;
        }
        ~Gate() { (*this)(); }
    } gate{release};
    rig.central.onInquire = [released](const model::EligibilityInquiry& asked) {
        released.wait();
        return Answered::of(test::validAnswer(asked, "後で 回答"));
    };
    rig.service.remember(q, test::validAnswer(q, "古い 回答"), test::nowSeconds() - 2 * kDay);
    auto begun = rig.service.begin(q, "");
    REQUIRE(begun.kind == InquiryOutcome::Kind::Queued);
    CHECK_FALSE(rig.service.settle(begun.ticket, q, false));  // not answered yet, the link up: keep waiting
    auto atDeadline = rig.service.settle(begun.ticket, q, true);
    REQUIRE(atDeadline);
    CHECK(atDeadline->kind == InquiryOutcome::Kind::Answered);
    CHECK(atDeadline->answer->stale);
    CHECK(atDeadline->answer->result.records.at(0).name == "古い 回答");

    gate();
    REQUIRE(rig.dispatcher.waitFor(begun.ticket, kWait));
    auto live = rig.service.settle(begun.ticket, q, false);
    REQUIRE(live);
    CHECK(live->answer->source == "live");
    CHECK_FALSE(live->answer->stale);
    CHECK(live->answer->result.records.at(0).name == "後で 回答");
}

TEST_CASE("a refusal carries the central system's own code and message, and caches nothing",
          "[services][eligibility]") {
    Rig rig;
    rig.central.onInquire = [](const model::EligibilityInquiry&) { return Answered::refused("SIM-E002", "資格情報が見つかりません"); };
    auto q = test::inquiryFor("1009");
    auto out = rig.service.inquire(q, "", kWait);
    REQUIRE(out.kind == InquiryOutcome::Kind::Refused);
    CHECK(out.error == model::ErrorId::UpstreamRejected);
    CHECK(out.centralCode == "SIM-E002");
    CHECK(out.centralMessage == "資格情報が見つかりません");
    CHECK_FALSE(rig.service.peek(q));
}

TEST_CASE("error answers never enter the cache; real ones are told to the live-answer hook", "[services][eligibility]") {
    Rig rig;
    int told = 0;
    rig.service.onLiveAnswer([&](const model::EligibilityResult&) { ++told; });
    auto q = test::inquiryFor("1010");
    auto error = test::validAnswer(q);
    error.processingStatus = "2";
    error.processingCode = "EQ001";
    rig.service.remember(q, error, test::nowSeconds());
    CHECK_FALSE(rig.service.peek(q));
    rig.central.onInquire = [&](const model::EligibilityInquiry&) { return Answered::of(error); };
    auto out = rig.service.inquire(q, "", kWait);
    REQUIRE(out.kind == InquiryOutcome::Kind::Answered);
    CHECK(out.answer->result.processingStatus == "2");
    CHECK_FALSE(rig.service.peek(q));
    CHECK(told == 0);
    rig.service.remember(q, test::validAnswer(q), test::nowSeconds());
    CHECK(told == 1);
}

TEST_CASE("the cache is keyed by the blind index: found after a restart, never by another person", "[services][eligibility]") {
    Rig rig;
    auto q = test::inquiryFor("1011");
    rig.service.remember(q, test::validAnswer(q, "索引 次郎"), test::nowSeconds());
    CHECK(rig.cache.get(services::identityIndex(rig.store.key(), q.insured)));
    // A new service over the same store (a restart: nothing decoded in memory) finds it in the store.
    services::EligibilityService again({test::kInstitution, -1, std::chrono::milliseconds(5000)}, rig.store.key(), rig.cache,
                                       rig.outbox, rig.dispatcher, rig.breaker);
    auto found = again.peek(q);
    REQUIRE(found);
    CHECK(found->result.records.at(0).name == "索引 次郎");
    auto other = q;
    other.insured.birthDate = "19600403";
    CHECK_FALSE(again.peek(other));
}

TEST_CASE("retention: answers confirmed before the cutoff leave memory", "[services][eligibility]") {
    Rig rig;
    auto q = test::inquiryFor("1012");
    rig.service.remember(q, test::validAnswer(q), test::nowSeconds() - 10 * kDay);
    rig.cache.forgetConfirmedBefore(test::nowSeconds() - 5 * kDay);  // the store's side
    CHECK(rig.service.peek(q));                                     // still decoded in memory
    rig.service.forgetConfirmedBefore(test::nowSeconds() - 5 * kDay);
    CHECK_FALSE(rig.service.peek(q));
}

TEST_CASE("an unknown ticket is NotFound", "[services][eligibility]") {
    Rig rig;
    CHECK(rig.service.follow(987654, test::inquiryFor("1013")).error == model::ErrorId::NotFound);
}
