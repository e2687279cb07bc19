// kakehashi.date: 和暦 (Japanese era) dates ⇄ "YYYYMMDD", and today in Japan time. Receipt computers write
// eras as a letter ("R6.1.5", "H31.4.30") or in kanji ("令和6年1月5日", "平成元年5月1日"; 元年 = year 1).
#include <cstdio>

#include "model/codes.hpp"
#include "model/japan_date.hpp"
#include "plugins/host_library.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace kh::plugins {
namespace {
using model::JapanDate;

struct Era {
    const char* kanji;
    char letter;
    JapanDate start;  // the first day; an era ends the day before the next one starts
};

const Era kEras[] = {
    {"明治", 'M', {1868, 1, 25}}, {"大正", 'T', {1912, 7, 30}}, {"昭和", 'S', {1926, 12, 25}},
    {"平成", 'H', {1989, 1, 8}},  {"令和", 'R', {2019, 5, 1}},
};
constexpr size_t kEraCount = sizeof kEras / sizeof kEras[0];

struct WarekiDate {
    size_t era;
    int year, month, day;
};

bool takePrefix(std::string_view& s, std::string_view prefix) {
    if (s.substr(0, prefix.size()) != prefix) return false;
    s.remove_prefix(prefix.size());
    return true;
}

// One or two ASCII digits.
bool takeNumber(std::string_view& s, int& out) {
    size_t n = 0;
    out = 0;
    while (n < s.size() && n < 2 && s[n] >= '0' && s[n] <= '9') out = out * 10 + (s[n++] - '0');
    s.remove_prefix(n);
    return n > 0;
}

bool takeYear(std::string_view& s, int& year) {
    if (takePrefix(s, "元")) {
        year = 1;
        return true;
    }
    return takeNumber(s, year) && year >= 1;
}

bool takeSeparator(std::string_view& s) {
    if (s.empty() || (s[0] != '.' && s[0] != '-' && s[0] != '/')) return false;
    s.remove_prefix(1);
    return true;
}

std::optional<size_t> eraByLetter(char c) {
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    for (size_t i = 0; i < kEraCount; ++i)
        if (kEras[i].letter == c) return i;
    return std::nullopt;
}

// "R6.1.5", "H31.04.30", "S45-12-1"
std::optional<WarekiDate> parseLetterForm(std::string_view s) {
    if (s.empty()) return std::nullopt;
    const auto era = eraByLetter(s[0]);
    if (!era) return std::nullopt;
    s.remove_prefix(1);
    WarekiDate d{*era, 0, 0, 0};
    if (takeYear(s, d.year) && takeSeparator(s) && takeNumber(s, d.month) && takeSeparator(s) && takeNumber(s, d.day) &&
        s.empty())
        return d;
    return std::nullopt;
}

// "令和6年1月5日", "平成元年5月1日"
std::optional<WarekiDate> parseKanjiForm(std::string_view s) {
    for (size_t i = 0; i < kEraCount; ++i) {
        std::string_view rest = s;
        if (!takePrefix(rest, kEras[i].kanji)) continue;
        WarekiDate d{i, 0, 0, 0};
        if (takeYear(rest, d.year) && takePrefix(rest, "年") && takeNumber(rest, d.month) && takePrefix(rest, "月") &&
            takeNumber(rest, d.day) && takePrefix(rest, "日") && rest.empty())
            return d;
        return std::nullopt;
    }
    return std::nullopt;
}

std::string japaneseDay(const JapanDate& d) {
    return std::to_string(d.year) + "年" + std::to_string(d.month) + "月" + std::to_string(d.day) + "日";
}

// "平成の期間外の日付です（1989年1月8日～2019年4月30日）"
std::string outsideEra(size_t era) {
    std::string range = japaneseDay(kEras[era].start) + "～";
    if (era + 1 < kEraCount) range += japaneseDay(JapanDate::fromDayNumber(kEras[era + 1].start.dayNumber() - 1));
    return std::string(kEras[era].kanji) + "の期間外の日付です（" + range + "）";
}

bool withinEra(size_t era, const JapanDate& d) {
    return kEras[era].start <= d && (era + 1 == kEraCount || d < kEras[era + 1].start);
}

std::optional<size_t> eraOf(const JapanDate& d) {
    for (size_t i = kEraCount; i-- > 0;)
        if (kEras[i].start <= d) return i;
    return std::nullopt;
}

int dateFromWareki(lua_State* L) {
    luaL_checkstring(L, 1);
    return host::guarded(L, [L] {
        size_t n = 0;
        const char* text = lua_tolstring(L, 1, &n);
        std::string why;
        const auto date = fromWareki(std::string_view(text, n), why);
        return date ? host::results(L, {Value::fromString(*date)}) : host::nilAnd(L, why);
    });
}

int dateToWareki(lua_State* L) {
    luaL_checkstring(L, 1);
    const char* const styles[] = {"letter", "kanji", nullptr};
    const bool kanji = luaL_checkoption(L, 2, "letter", styles) == 1;
    return host::guarded(L, [L, kanji] {
        size_t n = 0;
        const char* text = lua_tolstring(L, 1, &n);
        std::string why;
        const auto wareki = toWareki(std::string_view(text, n), kanji, why);
        return wareki ? host::results(L, {Value::fromString(*wareki)}) : host::nilAnd(L, why);
    });
}

int dateToday(lua_State* L) {
    return host::guarded(L, [L] { return host::results(L, {Value::fromString(JapanDate::today().str())}); });
}
}  // namespace

std::optional<std::string> fromWareki(std::string_view text, std::string& why) {
    const std::string s = model::trimmed(std::string(text));
    auto parts = parseLetterForm(s);
    if (!parts) parts = parseKanjiForm(s);
    if (!parts) {
        why = "和暦の日付として読めません（例: R6.1.5、令和6年1月5日）";
        return std::nullopt;
    }
    const int year = kEras[parts->era].start.year + parts->year - 1;
    if (!model::isValidDate(year, parts->month, parts->day)) {
        why = "存在しない日付です";
        return std::nullopt;
    }
    const JapanDate date{year, parts->month, parts->day};
    if (!withinEra(parts->era, date)) {
        why = outsideEra(parts->era);
        return std::nullopt;
    }
    return date.str();
}

std::optional<std::string> toWareki(std::string_view yyyymmdd, bool kanji, std::string& why) {
    const auto date = JapanDate::parse(std::string(yyyymmdd));
    if (!date) {
        why = "日付はYYYYMMDD形式の実在する日付です";
        return std::nullopt;
    }
    const auto era = eraOf(*date);
    if (!era) {
        why = "明治より前の日付は和暦にできません";
        return std::nullopt;
    }
    const int year = date->year - kEras[*era].start.year + 1;
    if (kanji)
        return std::string(kEras[*era].kanji) + (year == 1 ? "元" : std::to_string(year)) + "年" +
               std::to_string(date->month) + "月" + std::to_string(date->day) + "日";
    char letter[32];
    std::snprintf(letter, sizeof letter, "%c%d.%02d.%02d", kEras[*era].letter, year, date->month, date->day);
    return std::string(letter);
}

namespace host {
void openDate(lua_State* L) {
    const luaL_Reg functions[] = {
        {"from_wareki", dateFromWareki}, {"to_wareki", dateToWareki}, {"today", dateToday}, {nullptr, nullptr}};
    luaL_newlib(L, functions);
}
}  // namespace host
}  // namespace kh::plugins
