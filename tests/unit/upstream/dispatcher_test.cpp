#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../services/fake_central.hpp"
#include "../temp_dir.hpp"
#include "upstream/dispatcher.hpp"

using namespace kh;
using namespace std::chrono_literals;

namespace {

model::EligibilityInquiry patient(int n) {
    model::EligibilityInquiry q;
    q.insured = {"01130012", "", std::to_string(1000 + n), "00", "19800101"};
    return q;
}

// Each inquiry waits at the other side until the test lets it go; whether it hands its turn over first (as
// both profiles do: central-v1 before the HTTP request, terminal once the file is in req/) is up to the test.
class HeldCentral : public test::FakeCentral {
public:
    bool handOverFirst = true;

    Answer<model::EligibilityResult> inquire(const std::string&, const model::EligibilityInquiry& q, const std::string&,
                                             upstream::SendTurn* turn) override {
        std::unique_lock<std::mutex> l(mutex);
        started.push_back(q.insured.cardNumber);
        ++underWay;
        maxUnderWay = std::max(maxUnderWay, underWay);
        changed.notify_all();
        if (handOverFirst && turn) {
            l.unlock();
            turn->handedOver();
            l.lock();
        }
        changed.wait(l, [&] { return released > 0 || releaseAll; });
        if (!releaseAll) --released;
        --underWay;
        model::EligibilityResult r;
        r.validity = model::Validity::Valid;
        return Answer<model::EligibilityResult>::of(r);
    }

    // Waits (with a generous deadline) until `n` calls have started; false if they never do.
    bool waitStarted(size_t n) {
        std::unique_lock<std::mutex> l(mutex);
        return changed.wait_for(l, 10s, [&] { return started.size() >= n; });
    }
    void release(int n) {
        std::lock_guard<std::mutex> l(mutex);
        released += n;
        changed.notify_all();
    }
    void releaseEverything() {
        std::lock_guard<std::mutex> l(mutex);
        releaseAll = true;
        changed.notify_all();
    }
    std::vector<std::string> startedSoFar() {
        std::lock_guard<std::mutex> l(mutex);
        return started;
    }

    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::string> started;
    int underWay = 0, maxUnderWay = 0, released = 0;
    bool releaseAll = false;
};

struct Rig {
    test::TempDir dir;
    store::Store store{dir.path + "/k.db", dir.path + "/keys"};
    store::OutboundQueue queue{store};
    upstream::Outbox outbox{queue, "1312345679"};
    HeldCentral central;
    upstream::CircuitBreaker breaker{100, 10};
    upstream::Dispatcher dispatcher;
    std::vector<int64_t> tickets;

    explicit Rig(int concurrency) : dispatcher(queue, outbox, central, breaker, upstream::BackoffSettings{10, 20}, concurrency) {}
    ~Rig() {
        central.releaseEverything();
        dispatcher.stop();
    }
    void queueInquiries(int n) {
        for (int i = 0; i < n; ++i) tickets.push_back(outbox.queueInquiry(patient(i), "F" + std::to_string(i)));
    }
    bool allDone() {
        for (auto t : tickets)
            if (!dispatcher.waitFor(t, 10s)) return false;
        return true;
    }
};

std::vector<std::string> cards(int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) out.push_back(std::to_string(1000 + i));
    return out;
}
}  // namespace

TEST_CASE("several queued calls are under way at once, started in queue order, never more than the limit",
          "[upstream][dispatcher]") {
    Rig rig(3);
    rig.queueInquiries(7);
    rig.dispatcher.start();
    REQUIRE(rig.central.waitStarted(3));
    // Nothing beyond the limit starts while three wait at the other side.
    rig.dispatcher.wake();
    std::this_thread::sleep_for(100ms);  // a chance to break the limit, which must not be taken
    CHECK(rig.central.startedSoFar() == cards(0, 3));
    rig.central.release(1);
    REQUIRE(rig.central.waitStarted(4));
    rig.central.releaseEverything();
    REQUIRE(rig.allDone());
    CHECK(rig.central.startedSoFar() == cards(0, 7));
    CHECK(rig.central.maxUnderWay == 3);
    CHECK(rig.dispatcher.stats().maxInFlight == 3);
    // Counted just after the item is recorded, which is what woke waitFor: wait for the count.
    auto until = std::chrono::steady_clock::now() + 10s;
    while (rig.dispatcher.stats().completed < 7 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
    CHECK(rig.dispatcher.stats().completed == 7);
}

TEST_CASE("the next queued call starts only once the one before it was handed over", "[upstream][dispatcher]") {
    Rig rig(4);
    rig.central.handOverFirst = false;  // each call holds its turn until it returns
    rig.queueInquiries(3);
    rig.dispatcher.start();
    REQUIRE(rig.central.waitStarted(1));
    std::this_thread::sleep_for(100ms);  // a chance to start the second early, which must not be taken
    CHECK(rig.central.startedSoFar() == cards(0, 1));
    rig.central.release(1);
    REQUIRE(rig.central.waitStarted(2));
    rig.central.releaseEverything();
    REQUIRE(rig.allDone());
    CHECK(rig.central.startedSoFar() == cards(0, 3));
    CHECK(rig.central.maxUnderWay == 1);
}

TEST_CASE("with concurrency 1 the head is answered before anything behind it goes (central-v1's order)",
          "[upstream][dispatcher]") {
    Rig rig(1);
    rig.queueInquiries(3);
    rig.dispatcher.start();
    REQUIRE(rig.central.waitStarted(1));
    std::this_thread::sleep_for(100ms);  // handed over, yet the second must wait for the answer
    CHECK(rig.central.startedSoFar() == cards(0, 1));
    rig.central.release(1);
    REQUIRE(rig.central.waitStarted(2));
    rig.central.release(1);
    REQUIRE(rig.central.waitStarted(3));
    rig.central.release(1);
    REQUIRE(rig.allDone());
    CHECK(rig.central.maxUnderWay == 1);
}

TEST_CASE("a call waiting for its retry holds back everything behind it", "[upstream][dispatcher]") {
    test::TempDir dir;
    store::Store store{dir.path + "/k.db", dir.path + "/keys"};
    store::OutboundQueue queue{store};
    upstream::Outbox outbox{queue, "1312345679"};
    test::FakeCentral central;
    std::mutex m;
    std::vector<std::string> order;
    int failuresLeft = 2;
    central.onInquire = [&](const model::EligibilityInquiry& q) {
        std::lock_guard<std::mutex> l(m);
        order.push_back(q.insured.cardNumber);
        if (q.insured.cardNumber == "1000" && failuresLeft > 0) {
            --failuresLeft;
            return test::FakeCentral::Answer<model::EligibilityResult>::unreachable("down");
        }
        model::EligibilityResult r;
        r.validity = model::Validity::Valid;
        return test::FakeCentral::Answer<model::EligibilityResult>::of(r);
    };
    upstream::CircuitBreaker breaker{100, 10};
    upstream::Dispatcher dispatcher(queue, outbox, central, breaker, upstream::BackoffSettings{20, 40}, 5);
    std::vector<int64_t> tickets;
    for (int i = 0; i < 3; ++i) tickets.push_back(outbox.queueInquiry(patient(i), "F"));
    dispatcher.start();
    for (auto t : tickets) REQUIRE(dispatcher.waitFor(t, 10s));
    dispatcher.stop();
    // The head failed twice; nothing behind it went before it was answered.
    CHECK(order == std::vector<std::string>{"1000", "1000", "1000", "1001", "1002"});
}
