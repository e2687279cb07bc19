#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include "store/sign_in_failures.hpp"

using namespace kh::store;
using namespace kh::store::test;
using namespace std::chrono_literals;

namespace {
constexpr int64_t kNow = 1700000000;  // an injected clock: locks and their ends are exact

struct Fixture {
    std::string dir = tempDir();
    Store store{dir + "/kakehashi.db", dir + "/keys"};
    SignInFailures failures{store, LockoutPolicy{}};
};

void failTimes(SignInFailures& failures, int n, const std::string& name, const std::string& address, int64_t at) {
    for (int i = 0; i < n; ++i) failures.record(name, address, at);
}
}  // namespace

TEST_CASE("five failures lock a name for their address only", "[store][lockout]") {
    Fixture f;
    failTimes(f.failures, 4, "tanaka", "192.0.2.66", kNow);
    CHECK_FALSE(f.failures.lockedUntil("tanaka", "192.0.2.66", kNow));
    CHECK(f.failures.record("tanaka", "192.0.2.66", kNow) == kNow + 900);
    CHECK(f.failures.lockedUntil("TANAKA", "192.0.2.66", kNow + 1) == kNow + 900);  // names in any case
    CHECK_FALSE(f.failures.lockedUntil("tanaka", "192.0.2.10", kNow + 1));           // another machine
    CHECK_FALSE(f.failures.lockedUntil("suzuki", "192.0.2.66", kNow + 1));           // another name
    CHECK(f.failures.record("tanaka", "192.0.2.66", kNow + 600) == kNow + 900);      // not made longer
    CHECK_FALSE(f.failures.lockedUntil("tanaka", "192.0.2.66", kNow + 900));
    CHECK_FALSE(f.failures.record("tanaka", "192.0.2.66", kNow + 901));  // an ended lock starts a new count
}

TEST_CASE("failures are forgotten after a quiet lock period, or cleared by a sign-in", "[store][lockout]") {
    Fixture f;
    failTimes(f.failures, 4, "tanaka", "192.0.2.66", kNow);
    CHECK_FALSE(f.failures.record("tanaka", "192.0.2.66", kNow + 900));  // the four are forgotten
    CHECK(f.failures.summary("tanaka", kNow + 900).failures == 1);
    failTimes(f.failures, 3, "tanaka", "192.0.2.66", kNow + 901);
    f.failures.clear("tanaka", "192.0.2.66");
    CHECK_FALSE(f.failures.record("tanaka", "192.0.2.66", kNow + 902));
    CHECK(f.failures.summary("tanaka", kNow + 902).failures == 1);
}

TEST_CASE("the summary tells an administrator the failures and where the locks are", "[store][lockout]") {
    Fixture f;
    failTimes(f.failures, 5, "tanaka", "192.0.2.9", kNow);
    failTimes(f.failures, 5, "tanaka", "192.0.2.10", kNow + 60);
    failTimes(f.failures, 2, "tanaka", "192.0.2.11", kNow + 60);
    failTimes(f.failures, 5, "suzuki", "192.0.2.12", kNow);
    auto s = f.failures.summary("Tanaka", kNow + 100);
    CHECK(s.failures == 12);
    CHECK(s.lockedUntil == kNow + 60 + 900);
    CHECK(s.lockedFrom == std::vector<std::string>{"192.0.2.10", "192.0.2.9"});
    CHECK(f.failures.summary("tanaka", kNow + 900).lockedFrom == std::vector<std::string>{"192.0.2.10"});
    f.failures.clearAll("TANAKA");
    CHECK(f.failures.summary("tanaka", kNow + 100).failures == 0);
    CHECK(f.failures.summary("suzuki", kNow + 100).lockedFrom == std::vector<std::string>{"192.0.2.12"});
}

TEST_CASE("names are kept as keyed hashes, unknown ones too", "[store][lockout]") {
    Fixture f;
    failTimes(f.failures, 5, "hashi-no-kakekata-42", "192.0.2.66", kNow);  // a password typed as the name
    CHECK(f.failures.lockedUntil("hashi-no-kakekata-42", "192.0.2.66", kNow));
    std::string raw = readFile(f.dir + "/kakehashi.db") + readFile(f.dir + "/kakehashi.db-wal");
    CHECK(raw.find("192.0.2.66") != std::string::npos);  // the file was read
    CHECK(raw.find("hashi-no-kakekata-42") == std::string::npos);
}

TEST_CASE("the failures kept are capped, and locks in force are the last to go", "[store][lockout]") {
    Fixture f;
    SignInFailures capped(f.store, LockoutPolicy{5, 900s, 50});
    failTimes(capped, 5, "tanaka", "192.0.2.66", kNow);
    for (int i = 0; i < 300; ++i) {  // an attacker rotating addresses and names
        capped.record("guess-" + std::to_string(i), "10.0.1." + std::to_string(i % 250), kNow + 1 + i);
        REQUIRE(capped.rows() <= 50);
    }
    CHECK(capped.lockedUntil("tanaka", "192.0.2.66", kNow + 400) == kNow + 900);
    CHECK_FALSE(capped.lockedUntil("guess-0", "10.0.1.0", kNow + 400));
}
