// Calendar dates and timestamps in Japan time (Asia/Tokyo, UTC+9, no daylight saving since 1951).
// Computed by fixed offset, never through the process's TZ, so the box's clock zone cannot shift a day.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace kh::model {

struct JapanDate {
    int year = 0, month = 0, day = 0;

    // "YYYYMMDD" with a real calendar day; nullopt otherwise.
    static std::optional<JapanDate> parse(const std::string& yyyymmdd);
    static JapanDate today(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
    std::string str() const;  // YYYYMMDD
    int64_t dayNumber() const; // days since 1970-01-01, for comparisons and spans
    static JapanDate fromDayNumber(int64_t days);
    bool operator==(const JapanDate& o) const { return dayNumber() == o.dayNumber(); }
    bool operator<(const JapanDate& o) const { return dayNumber() < o.dayNumber(); }
    bool operator<=(const JapanDate& o) const { return dayNumber() <= o.dayNumber(); }
};

// "YYYYMMDDHHmmss" in Japan time.
std::string japanTimestamp(std::chrono::system_clock::time_point t = std::chrono::system_clock::now());
// ISO-8601 with +09:00, for JSON answers.
std::string japanIso8601(std::chrono::system_clock::time_point t);
// Parse "YYYYMMDDHHmmss" (Japan time) to a time point.
std::optional<std::chrono::system_clock::time_point> parseJapanTimestamp(const std::string& s);
// "YYYYMMDDHHmmss", or a bare "YYYYMMDD" meaning the last second of that day (Japan time): how the
// central system writes AvailableTime and similar ends of windows. Spaces around are ignored.
std::optional<std::chrono::system_clock::time_point> parseJapanTimeOrDayEnd(const std::string& s);
// Unix seconds of a Japan day's first and last second.
int64_t japanDayStart(const JapanDate& d);
int64_t japanDayEnd(const JapanDate& d);
// Unix seconds <-> time point helpers used by the store.
int64_t unixSeconds(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point fromUnixSeconds(int64_t s);

bool isValidDate(int y, int m, int d);

}  // namespace kh::model
