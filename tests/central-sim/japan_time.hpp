// Calendar arithmetic and Japan time (JST, a fixed UTC+9 offset that never depends on TZ): the dates
// in the population and the timestamps (YYYYMMDDHHmmss) in answers.
#pragma once
#include <chrono>
#include <string>

namespace ksim {

struct CivilDate {
    int year;
    int month;  // 1..12
    int day;    // 1..31
};

int daysInMonth(int year, int month);
// Days since 1970-01-01 (proleptic Gregorian) and back.
long daysFromCivil(const CivilDate& date);
CivilDate civilFromDays(long days);

std::string ymd(const CivilDate& date);  // YYYYMMDD
std::string ymd(long days);
CivilDate parseYmd(const std::string& yyyymmdd);  // caller checked isDate8
// The day a person born on `birth` turns `years` old (29 Feb births: 1 Mar in common years).
long anniversary(const CivilDate& birth, int years);
// Full years between birth and the given day.
int ageOn(const CivilDate& birth, const CivilDate& on);

// A YYYYMMDDHHmmss moved by the given number of seconds (negative: earlier); the caller checked isTimestamp14.
std::string shiftedTimestamp(const std::string& timestamp, long seconds);

std::string jstTimestampNow();  // YYYYMMDDHHmmss
std::string jstTimestamp(std::chrono::system_clock::time_point t);  // YYYYMMDDHHmmss of that moment
std::string jstDateNow();       // YYYYMMDD
long jstTodayDays();            // today in Japan, as days since 1970-01-01
std::string jstIsoNow();        // 2026-11-25T09:30:00.123+09:00, for log lines

}  // namespace ksim
