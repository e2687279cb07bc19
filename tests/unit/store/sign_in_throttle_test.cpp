#include <catch2/catch.hpp>

#include "store/sign_in_throttle.hpp"

using namespace kh::store;
using namespace std::chrono_literals;

namespace {
// An injected clock: any point of the steady clock will do, the throttle only compares them.
const SignInThrottle::Clock::time_point t0 = SignInThrottle::Clock::time_point{} + 1000h;

int admittedInARow(SignInThrottle& throttle, const std::string& address, SignInThrottle::Clock::time_point at) {
    int n = 0;
    while (n < 1000 && throttle.admit(address, at)) ++n;
    return n;
}
}  // namespace

TEST_CASE("an address gets a burst of failed tries, then one per refill", "[store][throttle]") {
    SignInThrottle throttle;  // the defaults: 10 at once, then one every 3 s
    CHECK(admittedInARow(throttle, "192.0.2.7", t0) == 10);
    auto refused = throttle.admit("192.0.2.7", t0);
    CHECK_FALSE(refused);
    CHECK(refused.retryAfter() == 3s);
    CHECK(throttle.admit("192.0.2.7", t0 + 2s).retryAfter() == 1s);
    CHECK(throttle.admit("192.0.2.7", t0 + 2500ms).retryAfter() == 1s);  // rounded up, never 0
    CHECK(throttle.admit("192.0.2.7", t0 + 3s));
    CHECK_FALSE(throttle.admit("192.0.2.7", t0 + 3s));
    CHECK(admittedInARow(throttle, "192.0.2.7", t0 + 12s) == 3);
    CHECK(admittedInARow(throttle, "192.0.2.7", t0 + 1h) == 10);  // full again, never more than the burst
}

TEST_CASE("the throttle is per address, across every account", "[store][throttle]") {
    SignInThrottle throttle({3, 60s, 100});
    CHECK(admittedInARow(throttle, "192.0.2.7", t0) == 3);
    CHECK(admittedInARow(throttle, "192.0.2.8", t0) == 3);
    CHECK_FALSE(throttle.admit("192.0.2.7", t0 + 59s));
    CHECK(throttle.admit("192.0.2.7", t0 + 60s).retryAfter() == 0s);
}

TEST_CASE("a try that succeeds gives its token back", "[store][throttle]") {
    SignInThrottle throttle({3, 60s, 100});
    for (int i = 0; i < 50; ++i) {
        auto admission = throttle.admit("192.0.2.7", t0);
        REQUIRE(admission);
        admission.succeeded();
        admission.succeeded();  // once only
    }
    CHECK(admittedInARow(throttle, "192.0.2.7", t0) == 3);
    auto refused = throttle.admit("192.0.2.7", t0);
    refused.succeeded();  // a refused try has no token to give back
    CHECK_FALSE(throttle.admit("192.0.2.7", t0));
}

TEST_CASE("the throttle's memory is capped; full buckets are forgotten first", "[store][throttle]") {
    SignInThrottle throttle({10, 3s, 100});
    for (int i = 0; i < 5000; ++i) {  // an attacker rotating addresses
        CHECK(throttle.admit("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), t0 + 1ms * i));
        REQUIRE(throttle.addressesKept() <= 100);
    }
    SignInThrottle small({10, 3s, 3});
    CHECK(admittedInARow(small, "drained", t0) == 10);
    CHECK(small.admit("a", t0));
    CHECK(small.admit("b", t0));
    CHECK(small.admit("c", t0 + 5s));  // a and b are full again by now: they make the room
    CHECK(small.addressesKept() == 2);
    CHECK(small.admit("drained", t0 + 5s));  // remembered: one token back in 5 s, no fresh burst
    CHECK_FALSE(small.admit("drained", t0 + 5s));
}
