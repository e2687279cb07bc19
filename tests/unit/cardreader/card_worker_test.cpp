#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "cardreader/card_error.hpp"
#include "cardreader/card_worker.hpp"

using namespace kh::cardreader;
using namespace std::chrono_literals;

TEST_CASE("a job's result and its exception come back to the caller", "[cardreader]") {
    CardWorker worker;
    auto value = std::make_shared<int>(0);
    worker.run([value] { *value = 42; }, 1000ms);
    CHECK(*value == 42);
    CHECK_THROWS_AS(worker.run([] { throw CardException(CardFailure::CardRemoved, "gone"); }, 1000ms), CardException);
}

TEST_CASE("the watchdog answers when a card stops answering, and a queued job never starts late", "[cardreader]") {
    CardWorker worker;
    auto release = std::make_shared<std::atomic<bool>>(false);
    auto lateRuns = std::make_shared<std::atomic<int>>(0);
    auto started = std::chrono::steady_clock::now();
    try {
        worker.run([release] { while (!*release) std::this_thread::sleep_for(5ms); }, 100ms);
        FAIL("the stuck job should time out");
    } catch (const CardException& e) {
        CHECK(e.failure() == CardFailure::Timeout);
    }
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    // Queued behind the stuck one and given up by its caller: it must not reach the card afterwards.
    CHECK_THROWS_AS(worker.run([lateRuns] { ++*lateRuns; }, 50ms), CardException);
    *release = true;
    auto after = std::make_shared<int>(0);
    worker.run([after] { *after = 1; }, 1000ms);
    CHECK(*after == 1);
    CHECK(*lateRuns == 0);
}
