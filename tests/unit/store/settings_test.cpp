// Tests of the settings (settings.cpp): every change kept with who made it.
#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include "store/settings.hpp"

using namespace kh::store;
using namespace kh::store::test;

TEST_CASE("settings keep every change with who made it", "[store][settings]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    Settings settings(store);
    CHECK_FALSE(settings.get("homeReception.url"));
    settings.set("homeReception.url", "https://a.invalid/", "central");
    settings.set("homeReception.url", "https://b.invalid/", "cli");
    auto now = settings.get("homeReception.url");
    REQUIRE(now);
    CHECK(now->value == "https://b.invalid/");
    CHECK(now->updatedBy == "cli");
    auto history = settings.history("homeReception.url");
    REQUIRE(history.size() == 2);
    CHECK(history[0].value == "https://b.invalid/");
    CHECK(history[1].updatedBy == "central");
}
