#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include "store_test_support.hpp"

#include <cctype>
#include <chrono>
#include <functional>

#include "crypto/totp.hpp"
#include "model/errors.hpp"
#include "store/users.hpp"

using kh::test::errorOf;
using namespace kh::store;
using namespace kh::store::test;
using kh::model::ErrorId;
using kh::model::KakehashiError;

namespace {
constexpr int64_t kNow = 1700000000;  // a fixed clock: lockouts and TOTP steps are exact
const std::string kPassword = "hashi-no-kakekata-42";
const std::string kHere = "192.0.2.10", kThere = "192.0.2.66";  // two machines on the clinic's LAN

struct Fixture {
    std::string dir = tempDir();
    Store store{dir + "/kakehashi.db", dir + "/keys"};
    Users users{store};
};

std::string readHash(Store& store, int64_t id) {
    auto conn = store.db().lock();
    auto st = conn.prepare("SELECT password_hash FROM admin_users WHERE id = ?");
    st.bind(1, id);
    REQUIRE(st.step());
    return st.text(0);
}

void setHash(Store& store, int64_t id, const std::string& hash) {
    auto conn = store.db().lock();
    conn.prepare("UPDATE admin_users SET password_hash = ? WHERE id = ?").bind(1, hash).bind(2, id).run();
}

Users::PasswordCheck passwordFrom(Users& users, const std::string& address, const std::string& name,
                                  const std::string& password, int64_t at) {
    return users.checkPassword(name, password, address, at).check;
}

bool secondFactorAccepted(Users& users, int64_t id, const std::string& code, int64_t at, const std::string& address = kHere) {
    return users.checkSecondFactor(id, code, address, at).check == Users::SecondFactorCheck::Accepted;
}

// An account with TOTP on, enrolled at kNow; returns its secret and recovery codes.
std::pair<std::string, std::vector<std::string>> enrol(Users& users, int64_t id) {
    std::string secret = users.beginTotpEnrolment(id);
    auto codes = users.confirmTotpEnrolment(id, kh::crypto::totpCode(secret, kNow), kNow);
    REQUIRE(codes);
    return {secret, *codes};
}
}  // namespace

TEST_CASE("accounts are made with a checked name and password, and found by name in any case", "[store][users]") {
    Fixture f;
    CHECK(f.users.count() == 0);
    auto made = f.users.create("Tanaka.IT", "田中 情報", Role::Administrator, kPassword, "setup");
    CHECK(made.id > 0);
    CHECK(made.role == Role::Administrator);
    CHECK(made.createdBy == "setup");
    CHECK_FALSE(made.totpEnabled);
    CHECK(f.users.find("tanaka.it")->id == made.id);
    CHECK(f.users.get(made.id)->displayName == "田中 情報");
    CHECK_FALSE(f.users.find("suzuki"));
    CHECK(f.users.count() == 1);
    for (const std::string& bad : {std::string(), std::string(33, 'a'), std::string("tanaka it"),
                                   std::string("田中"), std::string("a/b")}) {
        CAPTURE(bad);
        CHECK(errorOf([&] { f.users.create(bad, "", Role::Operator, kPassword, "t"); }) == ErrorId::InvalidField);
    }
    CHECK(errorOf([&] { f.users.create("TANAKA.it", "", Role::Operator, kPassword, "t"); }) == ErrorId::InvalidField);
    CHECK(errorOf([&] { f.users.create("suzuki", "", Role::Operator, "short", "t"); }) == ErrorId::InvalidField);
    CHECK(f.users.list().size() == 1);
    CHECK(roleFromName("auditor") == Role::Auditor);
    CHECK(std::string(roleName(Role::Operator)) == "operator");
    CHECK_FALSE(roleFromName("root"));
}

TEST_CASE("an unknown name, a wrong password and a locked name get the same answer at the same cost",
          "[store][users]") {
    Fixture f;
    f.users.create("tanaka", "", Role::Administrator, kPassword, "setup");
    auto right = f.users.checkPassword("tanaka", kPassword, kHere, kNow);
    CHECK(right.check == Users::PasswordCheck::Ok);
    CHECK(right.user->username == "tanaka");
    for (int i = 0; i < 5; ++i) f.users.checkPassword("tanaka", "not-the-password", kThere, kNow);
    struct Try {
        const char* what;
        std::string name, password, address;
    };
    for (const auto& t : {Try{"wrong", "tanaka", "not-the-password", kHere}, Try{"unknown", "suzuki", kPassword, kHere},
                          Try{"badly formed", "田中 太郎", kPassword, kHere}, Try{"locked", "tanaka", kPassword, kThere}}) {
        CAPTURE(t.what);
        // Each pays for a scrypt run, like a real account's wrong password (a lower bound holds on any machine).
        auto started = std::chrono::steady_clock::now();
        auto outcome = f.users.checkPassword(t.name, t.password, t.address, kNow + 1);
        CHECK(std::chrono::steady_clock::now() - started > std::chrono::milliseconds(20));
        CHECK(outcome.check == Users::PasswordCheck::Refused);
        CHECK_FALSE(outcome.user);
    }
}

TEST_CASE("five wrong passwords lock the account for their address only", "[store][users]") {
    Fixture f;
    auto user = f.users.create("tanaka", "", Role::Administrator, kPassword, "setup");
    for (int i = 0; i < 4; ++i)
        CHECK(passwordFrom(f.users, kThere, "tanaka", "wrong-password", kNow) == Users::PasswordCheck::Refused);
    CHECK(f.users.signInFailures(user, kNow).failures == 4);
    CHECK(f.users.signInFailures(user, kNow).lockedUntil == 0);
    CHECK(f.users.checkPassword("TANAKA", "wrong-password", kThere, kNow).lockedUntil == kNow + 900);  // for the audit
    auto failures = f.users.signInFailures(user, kNow);
    CHECK(failures.lockedUntil == kNow + 900);
    CHECK(failures.lockedFrom == std::vector<std::string>{kThere});
    auto whileLocked = f.users.checkPassword("tanaka", kPassword, kThere, kNow + 10);
    CHECK(whileLocked.check == Users::PasswordCheck::Refused);  // not even the right password
    CHECK(whileLocked.lockedUntil == 0);                        // the lock began before
    CHECK(passwordFrom(f.users, kHere, "tanaka", kPassword, kNow + 10) == Users::PasswordCheck::Ok);
    // A name no account has is counted and locked alike, so a lock tells nothing about accounts.
    for (int i = 0; i < 4; ++i) CHECK(f.users.checkPassword("suzuki", "wrong-password", kThere, kNow).lockedUntil == 0);
    CHECK(f.users.checkPassword("suzuki", "wrong-password", kThere, kNow).lockedUntil == kNow + 900);

    f.users.unlock(user.id);
    CHECK(f.users.signInFailures(user, kNow + 10).failures == 0);
    CHECK(passwordFrom(f.users, kThere, "tanaka", kPassword, kNow + 10) == Users::PasswordCheck::Ok);

    for (int i = 0; i < 5; ++i) passwordFrom(f.users, kThere, "tanaka", "wrong-password", kNow + 20);
    CHECK(passwordFrom(f.users, kThere, "tanaka", kPassword, kNow + 919) == Users::PasswordCheck::Refused);
    CHECK(passwordFrom(f.users, kThere, "tanaka", kPassword, kNow + 920) == Users::PasswordCheck::Ok);  // run out
    CHECK(f.users.signInFailures(user, kNow + 920).failures == 0);  // and the sign-in cleared the count
}

TEST_CASE("a disabled account answers Disabled only to its right password", "[store][users]") {
    Fixture f;
    f.users.create("tanaka", "", Role::Administrator, kPassword, "setup");
    auto id = f.users.create("sato", "", Role::Operator, kPassword, "tanaka").id;
    f.users.setDisabled(id, true);
    CHECK(passwordFrom(f.users, kHere, "sato", kPassword, kNow) == Users::PasswordCheck::Disabled);
    CHECK(passwordFrom(f.users, kHere, "sato", "wrong-password", kNow) == Users::PasswordCheck::Refused);
    f.users.setDisabled(id, false);
    CHECK(passwordFrom(f.users, kHere, "sato", kPassword, kNow) == Users::PasswordCheck::Ok);
}

TEST_CASE("an older password hash is redone at the next right login", "[store][users]") {
    Fixture f;
    auto id = f.users.create("tanaka", "", Role::Administrator, kPassword, "setup").id;
    // RFC 7914's scrypt vector (N = 2^14), as a row written by an older release would hold it.
    setHash(f.store, id,
            "scrypt$14$8$1$U29kaXVtQ2hsb3JpZGU$"
            "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofLVQylVYT8Pz2LUlwUkKpr55h6F3A1lHkDfzwF7RVdYhw");
    CHECK(passwordFrom(f.users, kHere, "tanaka", "pleaseletmein", kNow) == Users::PasswordCheck::Ok);
    CHECK(readHash(f.store, id).rfind("scrypt$15$8$1$", 0) == 0);
    CHECK(passwordFrom(f.users, kHere, "tanaka", "pleaseletmein", kNow) == Users::PasswordCheck::Ok);
}

TEST_CASE("TOTP enrolment needs a code of the pending secret, and a code is never taken twice", "[store][users]") {
    Fixture f;
    auto id = f.users.create("tanaka", "", Role::Administrator, kPassword, "setup").id;
    CHECK_FALSE(f.users.confirmTotpEnrolment(id, "123456", kNow));  // nothing pending
    std::string secret = f.users.beginTotpEnrolment(id);
    CHECK(secret.size() == 20);
    CHECK_FALSE(f.users.get(id)->totpEnabled);
    CHECK_FALSE(f.users.confirmTotpEnrolment(id, kh::crypto::totpCode(secret, kNow + 300), kNow));
    auto codes = f.users.confirmTotpEnrolment(id, kh::crypto::totpCode(secret, kNow), kNow);
    REQUIRE(codes);
    CHECK(codes->size() == 10);
    CHECK(f.users.get(id)->totpEnabled);
    CHECK(f.users.get(id)->recoveryCodesLeft == 10);

    // The enrolment code's step is used: the same code again is a replay, even a moment later.
    CHECK_FALSE(secondFactorAccepted(f.users, id, kh::crypto::totpCode(secret, kNow), kNow + 5));
    std::string next = kh::crypto::totpCode(secret, kNow + 30);
    CHECK(secondFactorAccepted(f.users, id, next, kNow + 30));
    CHECK_FALSE(secondFactorAccepted(f.users, id, next, kNow + 31));
    CHECK(secondFactorAccepted(f.users, id, kh::crypto::totpCode(secret, kNow + 90), kNow + 60));  // a step ahead: drift
    CHECK_FALSE(secondFactorAccepted(f.users, id, kh::crypto::totpCode(secret, kNow + 60), kNow + 61));  // older than used

    std::string raw = readFile(f.dir + "/kakehashi.db") + readFile(f.dir + "/kakehashi.db-wal");
    CHECK(raw.find(secret) == std::string::npos);
    CHECK(raw.find((*codes)[0]) == std::string::npos);
}

TEST_CASE("each recovery code works once, as typed by a person", "[store][users]") {
    Fixture f;
    auto id = f.users.create("tanaka", "", Role::Administrator, kPassword, "setup").id;
    auto [secret, codes] = enrol(f.users, id);
    for (const auto& code : codes) {
        CHECK(code.size() == 9);
        CHECK(code[4] == '-');
        CHECK(code.find_first_not_of("0123456789abcdefghjkmnpqrstvwxyz-") == std::string::npos);
    }
    CHECK(secondFactorAccepted(f.users, id, codes[0], kNow + 30));
    CHECK_FALSE(secondFactorAccepted(f.users, id, codes[0], kNow + 31));
    std::string shouted = codes[1];
    for (char& c : shouted) c = char(std::toupper(static_cast<unsigned char>(c)));
    CHECK(secondFactorAccepted(f.users, id, shouted.substr(0, 4) + " " + shouted.substr(5), kNow + 32));
    CHECK(f.users.get(id)->recoveryCodesLeft == 8);
    CHECK_FALSE(secondFactorAccepted(f.users, id, "zzzz-zzzz", kNow + 33));

    f.users.resetTotp(id);
    CHECK_FALSE(f.users.get(id)->totpEnabled);
    CHECK_FALSE(secondFactorAccepted(f.users, id, codes[2], kNow + 34));
}

TEST_CASE("recovery codes kept comma-joined by an earlier release move to their table on upgrade", "[store][users]") {
    std::string dir = tempDir();
    int64_t id = 0;
    std::vector<std::string> codes;
    {
        Store store{dir + "/kakehashi.db", dir + "/keys"};
        Users users{store};
        id = users.create("tanaka", "", Role::Administrator, kPassword, "setup").id;
        codes = enrol(users, id).second;
        // The database as release 0016 left it: the codes' hashes in admin_users.recovery_codes.
        auto conn = store.db().lock();
        conn.exec("UPDATE admin_users SET recovery_codes = (SELECT group_concat(code_hash, ',') FROM "
                  "admin_recovery_codes WHERE user_id = admin_users.id)");
        conn.exec("DROP TABLE admin_recovery_codes; DELETE FROM schema_migrations WHERE version = 17");
    }
    Store store{dir + "/kakehashi.db", dir + "/keys"};
    Users users{store};
    CHECK(users.get(id)->recoveryCodesLeft == 10);
    CHECK(secondFactorAccepted(users, id, codes[3], kNow + 30));
    CHECK_FALSE(secondFactorAccepted(users, id, codes[3], kNow + 31));
    CHECK(users.get(id)->recoveryCodesLeft == 9);
    auto conn = store.db().lock();
    auto st = conn.prepare("SELECT recovery_codes FROM admin_users WHERE id = ?");
    st.bind(1, id);
    REQUIRE(st.step());
    CHECK(st.text(0).empty());
}

TEST_CASE("wrong second factors count toward the lockout of their address, and a known password does not clear them",
          "[store][users]") {
    Fixture f;
    auto user = f.users.create("tanaka", "", Role::Administrator, kPassword, "setup");
    auto [secret, codes] = enrol(f.users, user.id);
    for (int i = 0; i < 4; ++i) CHECK_FALSE(secondFactorAccepted(f.users, user.id, "000000", kNow + 30));
    CHECK(passwordFrom(f.users, kHere, "tanaka", kPassword, kNow + 30) == Users::PasswordCheck::Ok);
    CHECK(f.users.signInFailures(user, kNow + 30).failures == 4);
    auto fifth = f.users.checkSecondFactor(user.id, "not-a-code", kHere, kNow + 30);
    CHECK(fifth.check == Users::SecondFactorCheck::Locked);
    CHECK(fifth.lockedUntil == kNow + 30 + 900);
    auto right = kh::crypto::totpCode(secret, kNow + 60);
    CHECK(f.users.checkSecondFactor(user.id, right, kHere, kNow + 60).check == Users::SecondFactorCheck::Locked);
    CHECK_FALSE(secondFactorAccepted(f.users, user.id, codes[0], kNow + 60));
    CHECK(secondFactorAccepted(f.users, user.id, right, kNow + 60, kThere));  // another machine is not locked
    f.users.unlock(user.id);
    CHECK(secondFactorAccepted(f.users, user.id, codes[0], kNow + 60));
}

TEST_CASE("the last enabled administrator can be neither demoted nor disabled", "[store][users]") {
    Fixture f;
    auto tanaka = f.users.create("tanaka", "", Role::Administrator, kPassword, "setup").id;
    auto sato = f.users.create("sato", "", Role::Operator, kPassword, "tanaka").id;
    CHECK(errorOf([&] { f.users.setRole(tanaka, Role::Auditor); }) == ErrorId::InvalidField);
    CHECK(errorOf([&] { f.users.setDisabled(tanaka, true); }) == ErrorId::InvalidField);
    CHECK(errorOf([&] { f.users.setRole(999, Role::Auditor); }) == ErrorId::NotFound);
    f.users.setRole(sato, Role::Administrator);
    f.users.setDisabled(sato, true);  // a disabled administrator does not count
    CHECK(errorOf([&] { f.users.setRole(tanaka, Role::Operator); }) == ErrorId::InvalidField);
    f.users.setDisabled(sato, false);
    f.users.setRole(tanaka, Role::Operator);
    CHECK(f.users.get(tanaka)->role == Role::Operator);
    CHECK(f.users.enabledAdministratorCount() == 1);
}

TEST_CASE("a new password must pass the policy", "[store][users]") {
    Fixture f;
    auto id = f.users.create("tanaka", "", Role::Administrator, kPassword, "setup").id;
    CHECK(errorOf([&] { f.users.setPassword(id, "tanaka-tanaka-tanaka"); }) == ErrorId::InvalidField);
    f.users.setPassword(id, "another long passphrase");
    CHECK(passwordFrom(f.users, kHere, "tanaka", "another long passphrase", kNow) == Users::PasswordCheck::Ok);
}
