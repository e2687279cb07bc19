#include "model/japan_date.hpp"

#include <cstdio>

namespace kh::model {
namespace {
constexpr int64_t kJstOffsetSeconds = 9 * 3600;

// Days from civil date, proleptic Gregorian (Howard Hinnant's public-domain algorithm, re-derived).
int64_t daysFromCivil(int y, int m, int d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool allDigits(const std::string& s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

struct JapanClock { JapanDate date; int hour, minute, second; };

JapanClock japanClock(std::chrono::system_clock::time_point t) {
    int64_t secs = unixSeconds(t) + kJstOffsetSeconds;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    return {JapanDate::fromDayNumber(days), int(rem / 3600), int(rem % 3600 / 60), int(rem % 60)};
}
}  // namespace

bool isValidDate(int y, int m, int d) {
    if (y < 1868 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
    return d <= max;
}

std::optional<JapanDate> JapanDate::parse(const std::string& s) {
    if (s.size() != 8 || !allDigits(s)) return std::nullopt;
    JapanDate d{std::stoi(s.substr(0, 4)), std::stoi(s.substr(4, 2)), std::stoi(s.substr(6, 2))};
    if (!isValidDate(d.year, d.month, d.day)) return std::nullopt;
    return d;
}

JapanDate JapanDate::today(std::chrono::system_clock::time_point now) { return japanClock(now).date; }

std::string JapanDate::str() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", year, month, day);
    return buf;
}

int64_t JapanDate::dayNumber() const { return daysFromCivil(year, month, day); }

JapanDate JapanDate::fromDayNumber(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = int(doy - (153 * mp + 2) / 5 + 1);
    const int m = int(mp < 10 ? mp + 3 : mp - 9);
    return JapanDate{int(yoe + era * 400 + (m <= 2)), m, d};
}

std::string japanTimestamp(std::chrono::system_clock::time_point t) {
    auto c = japanClock(t);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%02d%02d%02d", c.date.str().c_str(), c.hour, c.minute, c.second);
    return buf;
}

std::string japanIso8601(std::chrono::system_clock::time_point t) {
    auto c = japanClock(t);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+09:00", c.date.year, c.date.month,
                  c.date.day, c.hour, c.minute, c.second);
    return buf;
}

std::optional<std::chrono::system_clock::time_point> parseJapanTimestamp(const std::string& s) {
    if (s.size() != 14 || !allDigits(s)) return std::nullopt;
    auto d = JapanDate::parse(s.substr(0, 8));
    int h = std::stoi(s.substr(8, 2)), mi = std::stoi(s.substr(10, 2)), se = std::stoi(s.substr(12, 2));
    if (!d || h > 23 || mi > 59 || se > 59) return std::nullopt;
    int64_t secs = d->dayNumber() * 86400 + h * 3600 + mi * 60 + se - kJstOffsetSeconds;
    return fromUnixSeconds(secs);
}

std::optional<std::chrono::system_clock::time_point> parseJapanTimeOrDayEnd(const std::string& raw) {
    size_t b = raw.find_first_not_of(' '), e = raw.find_last_not_of(' ');
    std::string s = b == std::string::npos ? std::string() : raw.substr(b, e - b + 1);
    return parseJapanTimestamp(s.size() == 8 ? s + "235959" : s);
}

int64_t japanDayStart(const JapanDate& d) { return d.dayNumber() * 86400 - kJstOffsetSeconds; }
int64_t japanDayEnd(const JapanDate& d) { return japanDayStart(d) + 86399; }

int64_t unixSeconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point fromUnixSeconds(int64_t s) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(s));
}

}  // namespace kh::model
