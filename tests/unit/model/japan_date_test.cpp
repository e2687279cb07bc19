#include <catch2/catch.hpp>

#include <cstdlib>

#include "model/japan_date.hpp"

using namespace kh::model;

TEST_CASE("dates parse only as real calendar days", "[model][date]") {
    CHECK(JapanDate::parse("20240229"));
    CHECK_FALSE(JapanDate::parse("20230229"));
    CHECK_FALSE(JapanDate::parse("20241301"));
    CHECK_FALSE(JapanDate::parse("2024-01-01"));
    CHECK_FALSE(JapanDate::parse("202401011"));
    CHECK(JapanDate::parse("19700101")->dayNumber() == 0);
    CHECK(JapanDate::fromDayNumber(JapanDate::parse("20261125")->dayNumber()).str() == "20261125");
}

TEST_CASE("today is the Japan date whatever the process time zone", "[model][date]") {
    // 2026-11-25 15:30 UTC is 2026-11-26 00:30 in Japan. The test binary runs with TZ=UTC.
    auto t = fromUnixSeconds(1795620600);  // 2026-11-25T15:30:00Z
    CHECK(JapanDate::today(t).str() == "20261126");
    CHECK(japanTimestamp(t) == "20261126003000");
    CHECK(japanIso8601(t) == "2026-11-26T00:30:00+09:00");
    setenv("TZ", "America/Los_Angeles", 1);
    CHECK(JapanDate::today(t).str() == "20261126");
    setenv("TZ", "UTC", 1);
    CHECK(parseJapanTimestamp("20261126003000") == t);
    CHECK_FALSE(parseJapanTimestamp("20261126246000"));
}

TEST_CASE("ends of windows: a timestamp, or a bare date meaning that Japan day's last second", "[model][date]") {
    auto day = JapanDate::parse("20261125");
    CHECK(japanDayStart(*day) == 1795532400);  // 2026-11-24T15:00:00Z
    CHECK(japanDayEnd(*day) == 1795618799);    // 2026-11-25T14:59:59Z
    CHECK(unixSeconds(*parseJapanTimeOrDayEnd("20261125")) == japanDayEnd(*day));
    CHECK(unixSeconds(*parseJapanTimeOrDayEnd(" 20261125093000 ")) == japanDayStart(*day) + 9 * 3600 + 1800);
    CHECK_FALSE(parseJapanTimeOrDayEnd("2026-11-25"));
}
