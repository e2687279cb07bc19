// Tests of the 資格情報 cache (eligibility_cache.cpp): answers sealed on disk, found by their blind index.
#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include "store/eligibility_cache.hpp"

using namespace kh::store;
using namespace kh::store::test;

TEST_CASE("a cached answer is sealed on disk and found by its index after reopening", "[store][cache]") {
    auto dir = tempDir();
    {
        Store store(dir + "/k.db", dir + "/keys");
        EligibilityCache cache(store);
        cache.put("idx-1", {"<Name>山田　花子</Name>", 100});
    }
    Store again(dir + "/k.db", dir + "/keys");
    EligibilityCache cache(again);
    auto hit = cache.get("idx-1");
    REQUIRE(hit);
    CHECK(hit->result == "<Name>山田　花子</Name>");
    CHECK(hit->confirmedAt == 100);
    CHECK_FALSE(cache.get("idx-2"));
    std::string raw = readFile(dir + "/k.db") + readFile(dir + "/k.db-wal");
    CHECK(raw.find("山田") == std::string::npos);
}
