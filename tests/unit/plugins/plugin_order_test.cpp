// The plugin order IT staff keep in the store: read from its text, checked, and changed by enabling,
// disabling and moving one plugin.
#include <catch2/catch.hpp>

#include "plugins/plugin_order.hpp"

using namespace kh::plugins;
using Order = std::vector<std::string>;

TEST_CASE("an order is read from ids separated by commas, blanks and empty entries dropped", "[plugins][order]") {
    CHECK(parseOrder("csv-sjis, fixed-width ,,json-webhook") == Order{"csv-sjis", "fixed-width", "json-webhook"});
    CHECK(parseOrder("") == Order{});
    CHECK(parseOrder(" , ") == Order{});
    CHECK(orderText({"csv-sjis", "json-webhook"}) == "csv-sjis,json-webhook");
    CHECK(parseOrder(orderText({"a1", "b2"})) == Order{"a1", "b2"});
}

TEST_CASE("an order names each plugin once, by its id; empty means none enabled", "[plugins][order]") {
    CHECK(orderProblem("csv-sjis,json-webhook") == "");
    CHECK(orderProblem("") == "");
    CHECK_THAT(orderProblem("csv-sjis,CSV SJIS"), Catch::Contains("「CSV SJIS」はプラグインの ID ではありません"));
    CHECK_THAT(orderProblem("../etc"), Catch::Contains("プラグインの ID ではありません"));
    CHECK_THAT(orderProblem("csv-sjis,fixed-width,csv-sjis"), Catch::Contains("「csv-sjis」が2回あります"));
}

TEST_CASE("enabling appends once, disabling removes, moving swaps with the neighbour", "[plugins][order]") {
    Order order{"csv-sjis", "fixed-width"};
    CHECK(withPlugin(order, "json-webhook") == Order{"csv-sjis", "fixed-width", "json-webhook"});
    CHECK(withPlugin(order, "csv-sjis") == order);
    CHECK(withoutPlugin(order, "csv-sjis") == Order{"fixed-width"});
    CHECK(withoutPlugin(order, "absent") == order);
    CHECK(movedPlugin(order, "fixed-width", -1) == Order{"fixed-width", "csv-sjis"});
    CHECK(movedPlugin(order, "csv-sjis", 1) == Order{"fixed-width", "csv-sjis"});
    CHECK(movedPlugin(order, "csv-sjis", -1) == order);    // already first
    CHECK(movedPlugin(order, "fixed-width", 1) == order);  // already last
    CHECK(movedPlugin(order, "absent", 1) == order);
    CHECK(movedPlugin(order, "csv-sjis", 2) == order);
}
