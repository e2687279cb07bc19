// Tests of the inbound files (inbound_files.cpp): each recorded once per name and content.
#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include "store/inbound_files.hpp"

using namespace kh::store;
using namespace kh::store::test;

TEST_CASE("an inbound file is recorded once per name and content", "[store][inbound]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    InboundFiles files(store);
    auto id = files.accept("OQSsiquc01req_1.xml", "abc", "OQSsiquc01req", "utf-8", "<x/>");
    CHECK(files.accept("OQSsiquc01req_1.xml", "abc", "OQSsiquc01req", "utf-8", "<x/>") == id);
    CHECK(files.open("accepted").size() == 1);
    files.waitFor(id, 7);
    CHECK(files.open("waiting").at(0).ticket == 7);
    files.answered(id);
    CHECK(files.open("waiting").empty());
}
