#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include "store_test_support.hpp"

#include <sqlite3.h>

#include "model/errors.hpp"
#include "store/api_clients.hpp"

using kh::test::errorOf;
using namespace kh::store;
using namespace kh::store::test;
using kh::model::ErrorId;

namespace {
constexpr int64_t kDay = 86400;

// Another process's change, made through a connection of its own (sqlite3 itself, like the sqlite3 tool).
void changeElsewhere(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
}
}  // namespace

TEST_CASE("a token re-issued or revoked by another process stops working at once", "[store]") {
    auto dir = tempDir();
    std::string path = dir + "/k.db";
    Store gatewayStore(path, dir + "/keys");
    ApiClients gateway(gatewayStore);
    std::string old = gateway.issue("rececon-1", {});
    REQUIRE(gateway.authenticate(old));  // now remembered in memory
    REQUIRE(gateway.authenticate(old));

    std::string fresh;
    {
        Store cliStore(path, dir + "/keys");  // the CLI: a process of its own
        fresh = ApiClients(cliStore).issue("rececon-1", {});
    }
    CHECK_FALSE(gateway.authenticate(old));
    CHECK(gateway.authenticate(fresh)->name == "rececon-1");

    changeElsewhere(path, "DELETE FROM api_clients WHERE name = 'rececon-1'");
    CHECK_FALSE(gateway.authenticate(fresh));
}

TEST_CASE("a token expires after its days, or never when asked for", "[store]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    ApiClients clients(store);
    int64_t now = nowSeconds();
    std::string yearly = clients.issue("yearly", {});
    std::string daily = clients.issue("daily", {}, 1);
    std::string forever = clients.issue("forever", {}, 0);

    auto c = clients.check(yearly, now);
    REQUIRE(c.client);
    REQUIRE(c.client->expiresAt);
    CHECK(*c.client->expiresAt - c.client->createdAt == 365 * kDay);
    CHECK(clients.check(yearly, now + 364 * kDay).client);
    CHECK(clients.check(yearly, now + 366 * kDay).expired);

    CHECK(clients.check(daily, now).client);
    auto late = clients.check(daily, now + 2 * kDay);
    CHECK(late.expired);
    CHECK_FALSE(late.client);

    auto never = clients.check(forever, now + 100 * 365 * kDay);
    REQUIRE(never.client);
    CHECK_FALSE(never.client->expiresAt);

    CHECK(errorOf([&] { clients.issue("bad", {}, -1); }) == ErrorId::InvalidField);
    CHECK(errorOf([&] { clients.issue("bad", {}, 3651); }) == ErrorId::InvalidField);

    // An expiry moved by another process counts at once too.
    changeElsewhere(dir + "/k.db", "UPDATE api_clients SET expires_at = 1 WHERE name = 'forever'");
    CHECK(clients.check(forever, now).expired);

    auto listed = clients.list();
    REQUIRE(listed.size() == 3);
    CHECK(listed[0].name == "daily");
}

TEST_CASE("allowed addresses are checked and stored normalised", "[store]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    ApiClients clients(store);
    auto token = clients.issue("rececon-2", {"192.168.10.77/24", "10.0.0.5", "2001:DB8::/32"});
    CHECK(clients.authenticate(token)->allowCidrs == std::vector<std::string>{"192.168.10.0/24", "10.0.0.5/32", "2001:db8::/32"});
    try {
        clients.issue("rececon-3", {"192.168.1.0/24", "10.0.0.0/99"});
        FAIL("a bad range was stored");
    } catch (const kh::model::KakehashiError& e) {
        CHECK(std::string(e.what()).find("10.0.0.0/99") != std::string::npos);
    }
    CHECK(clients.list().size() == 1);  // nothing stored for the refused one
}

TEST_CASE("API client tokens are kept only as hashes", "[store]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    ApiClients clients(store);
    auto token = clients.issue("recept-1", {"192.168.0.0/24"});
    CHECK(clients.authenticate(token)->name == "recept-1");
    CHECK(clients.authenticate(token)->allowCidrs.at(0) == "192.168.0.0/24");
    CHECK_FALSE(clients.authenticate(token + "x"));
    CHECK_FALSE(clients.authenticate(""));
    std::string raw = readFile(dir + "/k.db") + readFile(dir + "/k.db-wal");
    CHECK(raw.find(token) == std::string::npos);
}
