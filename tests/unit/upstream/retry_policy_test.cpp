#include <catch2/catch.hpp>

#include "upstream/retry_policy.hpp"

using namespace kh::upstream;

TEST_CASE("backoff grows exponentially with jitter and is capped", "[upstream]") {
    std::mt19937_64 rng(1);
    BackoffSettings s{500, 8000};
    for (int i = 0; i < 50; ++i) {
        auto d1 = backoffMillis(s, 1, rng);
        CHECK(d1 >= 250);
        CHECK(d1 <= 500);
        auto d3 = backoffMillis(s, 3, rng);
        CHECK(d3 >= 1000);
        CHECK(d3 <= 2000);
        auto d20 = backoffMillis(s, 20, rng);
        CHECK(d20 >= 4000);
        CHECK(d20 <= 8000);
    }
}

TEST_CASE("the circuit breaker opens after repeated failures and lets one probe through", "[upstream]") {
    CircuitBreaker b(3, 1000);
    CHECK(b.allowRequest(0));
    b.recordFailure(0);
    b.recordFailure(0);
    CHECK(b.state(0) == CircuitBreaker::State::Closed);
    CHECK_FALSE(b.linkUp());
    b.recordFailure(10);
    CHECK(b.state(10) == CircuitBreaker::State::Open);
    CHECK_FALSE(b.allowRequest(500));
    CHECK(b.allowRequest(1010));  // half-open probe
    b.recordFailure(1020);        // probe failed: open again
    CHECK_FALSE(b.allowRequest(1500));
    CHECK(b.allowRequest(2100));
    b.recordSuccess();
    CHECK(b.state(2100) == CircuitBreaker::State::Closed);
    CHECK(b.linkUp());
}
