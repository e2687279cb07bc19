#include "japan_time.hpp"

#include <chrono>
#include <cstdio>

namespace ksim {

namespace {

constexpr long kJstOffsetSeconds = 9 * 3600;

struct JstClock {
    CivilDate date;
    int hour, minute, second, millis;
};

JstClock jstAt(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
    long long local = ms / 1000 + kJstOffsetSeconds;
    long days = static_cast<long>(local / 86400);
    int secondOfDay = static_cast<int>(local % 86400);
    return {civilFromDays(days), secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60,
            static_cast<int>(ms % 1000)};
}

JstClock jstNow() { return jstAt(std::chrono::system_clock::now()); }

}  // namespace

int daysInMonth(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

// The era-based algorithm: 400-year eras of 146097 days, years starting on 1 March.
long daysFromCivil(const CivilDate& date) {
    int y = date.month <= 2 ? date.year - 1 : date.year;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yearOfEra = y - era * 400;
    long monthFromMarch = (date.month + 9) % 12;
    long dayOfYear = (153 * monthFromMarch + 2) / 5 + date.day - 1;
    long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + dayOfEra - 719468;
}

CivilDate civilFromDays(long days) {
    days += 719468;
    long era = (days >= 0 ? days : days - 146096) / 146097;
    long dayOfEra = days - era * 146097;
    long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long monthFromMarch = (5 * dayOfYear + 2) / 153;
    int day = static_cast<int>(dayOfYear - (153 * monthFromMarch + 2) / 5 + 1);
    int month = static_cast<int>(monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9);
    int year = static_cast<int>(yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
    return {year, month, day};
}

std::string ymd(const CivilDate& date) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", date.year, date.month, date.day);
    return buf;
}

std::string ymd(long days) { return ymd(civilFromDays(days)); }

CivilDate parseYmd(const std::string& s) {
    return {std::stoi(s.substr(0, 4)), std::stoi(s.substr(4, 2)), std::stoi(s.substr(6, 2))};
}

long anniversary(const CivilDate& birth, int years) {
    CivilDate day{birth.year + years, birth.month, birth.day};
    if (day.month == 2 && day.day == 29 && daysInMonth(day.year, 2) == 28) day = {day.year, 3, 1};
    return daysFromCivil(day);
}

int ageOn(const CivilDate& birth, const CivilDate& on) {
    int age = on.year - birth.year;
    if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) --age;
    return age;
}

std::string shiftedTimestamp(const std::string& t, long seconds) {
    long total = daysFromCivil(parseYmd(t)) * 86400L + std::stol(t.substr(8, 2)) * 3600L +
                 std::stol(t.substr(10, 2)) * 60L + std::stol(t.substr(12, 2)) + seconds;
    long days = total / 86400L, rest = total % 86400L;
    if (rest < 0) {  // floor division for times before 1970
        rest += 86400L;
        --days;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02ld%02ld%02ld", rest / 3600, rest / 60 % 60, rest % 60);
    return ymd(days) + buf;
}

std::string jstTimestampNow() { return jstTimestamp(std::chrono::system_clock::now()); }

std::string jstTimestamp(std::chrono::system_clock::time_point t) {
    JstClock now = jstAt(t);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%02d%02d%02d", ymd(now.date).c_str(), now.hour, now.minute,
                  now.second);
    return buf;
}

std::string jstDateNow() { return ymd(jstNow().date); }

long jstTodayDays() { return daysFromCivil(jstNow().date); }

std::string jstIsoNow() {
    JstClock now = jstNow();
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+09:00", now.date.year,
                  now.date.month, now.date.day, now.hour, now.minute, now.second, now.millis);
    return buf;
}

}  // namespace ksim
