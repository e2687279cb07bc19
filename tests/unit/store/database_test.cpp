// Tests of the database (database.cpp): numbered migrations applied once, the store reopened as it was.
#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include "store/eligibility_cache.hpp"

using namespace kh::store;
using namespace kh::store::test;

TEST_CASE("migrations run once: a store opened again keeps its schema and what it holds", "[store][database]") {
    auto dir = tempDir();
    int version = 0;
    {
        Store store(dir + "/k.db", dir + "/keys");
        version = store.db().schemaVersion();
        CHECK(version >= 1);
        EligibilityCache(store).put("idx-1", {"<Name>山田　花子</Name>", 100});
    }
    Store again(dir + "/k.db", dir + "/keys");  // reopening applies nothing twice
    CHECK(again.db().schemaVersion() == version);
    auto hit = EligibilityCache(again).get("idx-1");
    REQUIRE(hit);
    CHECK(hit->confirmedAt == 100);
}
