// Tests of the first-run setup code (setup_code.cpp): issued only while no account exists, kept only as a
// hash, spent once — by the first administrator's creation, in the same step — and spent by ten wrong tries
// until the next start issues a new one.
#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include "store_test_support.hpp"

#include <cctype>

#include "model/errors.hpp"
#include "store/setup_code.hpp"
#include "store/users.hpp"

using kh::test::errorOf;
using namespace kh::store;
using namespace kh::store::test;
using kh::model::ErrorId;

namespace {
constexpr int64_t kNow = 1700000000;
const std::string kPassword = "hashi-no-kakekata-42";
const std::string kHere = "192.0.2.10";

struct Fixture {
    std::string dir = tempDir();
    Store store{dir + "/kakehashi.db", dir + "/keys"};
    Users users{store};
};

Users::PasswordCheck passwordFrom(Users& users, const std::string& address, const std::string& name,
                                  const std::string& password, int64_t at) {
    return users.checkPassword(name, password, address, at).check;
}
}  // namespace

TEST_CASE("the setup code is issued only before the first account, stored hashed, and works once", "[store][setup-code]") {
    Fixture f;
    SetupCode setup(f.store);
    auto code = setup.issueIfNoAdministrator(f.users);
    REQUIRE(code);
    CHECK(code->size() == 14);
    CHECK(code->find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ-") == std::string::npos);
    std::string raw = readFile(f.dir + "/kakehashi.db") + readFile(f.dir + "/kakehashi.db-wal");
    CHECK(raw.find(*code) == std::string::npos);
    CHECK(raw.find(code->substr(0, 4) + code->substr(5, 4)) == std::string::npos);

    CHECK_FALSE(setup.consume("0000-0000-0000"));
    std::string typed = *code;
    for (char& c : typed) c = char(std::tolower(static_cast<unsigned char>(c)));
    CHECK(setup.consume(typed));
    CHECK_FALSE(setup.consume(*code));  // once only

    f.users.create("tanaka", "", Role::Administrator, kPassword, "setup");
    auto again = SetupCode(f.store).issueIfNoAdministrator(f.users);
    CHECK_FALSE(again);
}

TEST_CASE("the first administrator is made and the setup code spent in one step", "[store][setup-code]") {
    Fixture f;
    SetupCode setup(f.store);
    auto code = setup.issueIfNoAdministrator(f.users);
    REQUIRE(code);
    // Everything about the account is checked before the code is looked at.
    CHECK(errorOf([&] { f.users.check("田中 太郎", "", Role::Administrator, kPassword); }) == ErrorId::InvalidField);
    CHECK(errorOf([&] { f.users.check("tanaka", "", Role::Administrator, "tanaka-tanaka"); }) == ErrorId::InvalidField);
    auto account = f.users.check("tanaka", "田中", Role::Administrator, kPassword);
    CHECK(account.username() == "tanaka");
    CHECK(f.users.count() == 0);
    CHECK(errorOf([&] { setup.createFirstAdministrator("0000-0000-0000", f.users, account); }) == ErrorId::SetupCodeWrong);
    CHECK(f.users.count() == 0);
    auto made = setup.createFirstAdministrator(*code, f.users, account);
    CHECK(made.username == "tanaka");
    CHECK(made.role == Role::Administrator);
    CHECK(made.createdBy == "setup");
    CHECK(passwordFrom(f.users, kHere, "tanaka", kPassword, kNow) == Users::PasswordCheck::Ok);
    CHECK_FALSE(setup.consume(*code));  // spent
    CHECK(errorOf([&] { setup.createFirstAdministrator(*code, f.users, account); }) == ErrorId::SetupDone);
}

TEST_CASE("wrong tries at creating the first administrator count toward the code's ten", "[store][setup-code]") {
    Fixture f;
    SetupCode setup(f.store);
    auto code = setup.issueIfNoAdministrator(f.users);
    REQUIRE(code);
    auto account = f.users.check("tanaka", "", Role::Administrator, kPassword);
    for (int i = 0; i < 10; ++i)
        CHECK(errorOf([&] { setup.createFirstAdministrator("WRONG", f.users, account); }) == ErrorId::SetupCodeWrong);
    CHECK(errorOf([&] { setup.createFirstAdministrator(*code, f.users, account); }) == ErrorId::SetupCodeWrong);
    CHECK(f.users.count() == 0);
}

TEST_CASE("ten wrong setup codes spend it until a new one is issued", "[store][setup-code]") {
    Fixture f;
    SetupCode setup(f.store);
    auto first = setup.issueIfNoAdministrator(f.users);
    REQUIRE(first);
    for (int i = 0; i < 10; ++i) CHECK_FALSE(setup.consume("WRONG-CODE-" + std::to_string(i)));
    CHECK_FALSE(setup.consume(*first));
    auto second = setup.issueIfNoAdministrator(f.users);  // the next start
    REQUIRE(second);
    CHECK(*second != *first);
    CHECK_FALSE(setup.consume(*first));
    CHECK(setup.consume(*second));
}
