#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include <sqlite3.h>

#include "store/audit_log.hpp"

using namespace kh::store;
using namespace kh::store::test;

TEST_CASE("the audit log is a hash chain: a changed or removed row is found", "[store]") {
    auto dir = tempDir();
    std::string path = dir + "/kakehashi.db";
    {
        Store store(path, dir + "/keys");
        AuditLog audit(store);
        audit.append("看護師 田中", "card-check.verified", "check-1", "method=visual");
        audit.append("api:rececon", "card-check.viewed", "check-1", "qualification shown");
        audit.append("api:rececon", "card-check.viewed", "check-1", "qualification shown");
        CHECK_FALSE(audit.firstBrokenRow());
        auto rows = audit.recent();
        REQUIRE(rows.size() == 3);
        CHECK(rows[0].prevHash == rows[1].hash);
        CHECK(audit.recent("card-check.verified").size() == 1);
    }
    auto tamper = [&](const char* sql) {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    };
    tamper("UPDATE audit_log SET actor = 'someone else' WHERE id = 2");
    {
        Store store(path, dir + "/keys");
        CHECK(AuditLog(store).firstBrokenRow() == 2);
    }
    tamper("UPDATE audit_log SET actor = 'api:rececon' WHERE id = 2");
    tamper("DELETE FROM audit_log WHERE id = 1");
    {
        Store store(path, dir + "/keys");
        CHECK(AuditLog(store).firstBrokenRow() == 2);
    }
}
