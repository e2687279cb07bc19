#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include "store_test_support.hpp"

#include "model/errors.hpp"
#include "store/sessions.hpp"
#include "store/users.hpp"

using kh::model::ErrorId;
using kh::test::errorOf;
using namespace kh::store;
using namespace kh::store::test;

namespace {
constexpr int64_t kNow = 1700000000;

struct Fixture {
    std::string dir = tempDir();
    Store store{dir + "/kakehashi.db", dir + "/keys"};
    Sessions sessions{store};
    int64_t userId = Users(store).create("tanaka", "", Role::Administrator, "hashi-no-kakekata-42", "setup").id;
};
}  // namespace

TEST_CASE("a session is opened with a token that is never stored in clear", "[store][sessions]") {
    Fixture f;
    auto [token, session] = f.sessions.open(f.userId, false, "192.0.2.10", kNow);
    CHECK(token.size() == 43);  // 32 bytes, base64url without padding
    CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
    CHECK(session.tokenHash == Sessions::tokenHash(token));
    CHECK(session.tokenHash.size() == 64);
    CHECK(session.csrfToken.size() == 43);
    CHECK(session.csrfToken != token);
    CHECK(session.expiresAt == kNow + 8 * 3600);
    CHECK(f.sessions.open(f.userId, false, "192.0.2.10", kNow).first != token);

    auto found = f.sessions.touch(token, kNow + 60);
    REQUIRE(found);
    CHECK(found->userId == f.userId);
    CHECK(found->remoteAddress == "192.0.2.10");
    CHECK(found->lastSeenAt == kNow + 60);
    CHECK_FALSE(found->secondFactorPassed);
    CHECK_FALSE(f.sessions.touch(token + "x", kNow + 60));
    CHECK_FALSE(f.sessions.touch("", kNow + 60));

    std::string raw = readFile(f.dir + "/kakehashi.db") + readFile(f.dir + "/kakehashi.db-wal");
    CHECK(raw.find(session.tokenHash) != std::string::npos);  // the file was read: the hash is there
    CHECK(raw.find(token) == std::string::npos);
}

TEST_CASE("a session ends after 15 idle minutes or 8 hours, however busy", "[store][sessions]") {
    Fixture f;
    auto idle = f.sessions.open(f.userId, true, "", kNow).first;
    CHECK(f.sessions.touch(idle, kNow + 900));
    CHECK_FALSE(f.sessions.touch(idle, kNow + 900 + 901));
    CHECK_FALSE(f.sessions.touch(idle, kNow + 900 + 902));  // removed, not just refused

    auto busy = f.sessions.open(f.userId, true, "", kNow).first;
    int64_t t = kNow;
    for (; t < kNow + 8 * 3600; t += 600) REQUIRE(f.sessions.touch(busy, t));
    CHECK_FALSE(f.sessions.touch(busy, kNow + 8 * 3600));

    Sessions shortLived(f.store, 60, 120);
    auto token = shortLived.open(f.userId, true, "", kNow).first;
    CHECK(shortLived.touch(token, kNow + 60));
    CHECK_FALSE(shortLived.touch(token, kNow + 121));
}

TEST_CASE("passing the second factor replaces the session; the old token is refused at once", "[store][sessions]") {
    Fixture f;
    auto [token, session] = f.sessions.open(f.userId, false, "192.0.2.10", kNow);
    auto [fresh, renewed] = f.sessions.renewAfterSecondFactor(token, kNow + 5);
    CHECK(fresh != token);
    CHECK(fresh.size() == 43);
    CHECK(renewed.tokenHash == Sessions::tokenHash(fresh));
    CHECK(renewed.csrfToken != session.csrfToken);  // a form from before the second factor stops working
    CHECK(renewed.secondFactorPassed);
    CHECK(renewed.userId == f.userId);
    CHECK(renewed.remoteAddress == "192.0.2.10");
    CHECK(renewed.expiresAt == session.expiresAt);  // no longer than the session it replaces

    CHECK_FALSE(f.sessions.touch(token, kNow + 6));
    auto now = f.sessions.touch(fresh, kNow + 6);
    REQUIRE(now);
    CHECK(now->secondFactorPassed);
    CHECK(now->csrfToken == renewed.csrfToken);
    CHECK(errorOf([&, used = token] { f.sessions.renewAfterSecondFactor(used, kNow + 7); }) == ErrorId::Unauthorized);  // once
    CHECK(errorOf([&] { f.sessions.renewAfterSecondFactor("unknown", kNow + 7); }) == ErrorId::Unauthorized);
}

TEST_CASE("sessions close one by one, all of a user's at once, and expired ones are purged", "[store][sessions]") {
    Fixture f;
    auto a = f.sessions.open(f.userId, true, "", kNow).first;
    auto b = f.sessions.open(f.userId, true, "", kNow).first;
    auto c = f.sessions.open(f.userId, true, "", kNow + 1000).first;
    f.sessions.close(a);
    CHECK_FALSE(f.sessions.touch(a, kNow + 1));
    CHECK(f.sessions.touch(b, kNow + 1));
    f.sessions.purgeExpired(kNow + 1000);  // b idle since kNow + 1
    auto count = [&] {
        auto conn = f.store.db().lock();
        auto st = conn.prepare("SELECT COUNT(*) FROM admin_sessions");
        st.step();
        return st.int64(0);
    };
    CHECK(count() == 1);
    f.sessions.closeAllFor(f.userId);
    CHECK(count() == 0);
    CHECK_FALSE(f.sessions.touch(c, kNow + 1001));
}
