// The host library a plugin sees as the global table `kakehashi`: logging of declared fields, JSON, CSV, Shift_JIS,
// fixed-width fields, 和暦 dates, code checks, read-only settings, inquiry records and errors named after
// the shared error table. The pure C++ pieces are declared here too, so they can be tested (and fuzzed)
// without Lua; `host::` holds what the host_*.cpp files share.
#pragma once
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/eligibility.hpp"
#include "plugins/manifest.hpp"
#include "plugins/sandbox.hpp"

namespace kh::plugins {

struct HostContext {
    std::string pluginId;
    std::string pluginVersion;
    std::string visibleSettingsJson;  // secrets already removed by the host
    std::vector<std::string> logMessages;  // the manifest's: all kakehashi.log may write (host_log.cpp)
    std::vector<LogField> logFields;
};

// Sets the sandbox's global `kakehashi`. Throws AdapterError (PluginFailed) when the settings are not a
// JSON object or the sandbox runs out of memory.
void installHostLibrary(Sandbox& sandbox, const HostContext& context);
// What ctx.settings shows: the very table kakehashi.settings is (read-only).
Value hostSettings();

// kakehashi.json. Objects, arrays, strings, numbers, booleans, null (Value::null); nesting at most 64.
// An empty table encodes as []. Both throw std::runtime_error with a message that says what and where.
Value parseJson(std::string_view text);
std::string writeJson(const Value& value);

// kakehashi.csv (RFC 4180): quoted fields with "" escapes, CRLF or LF; blank lines are skipped. Throws
// std::runtime_error naming the line.
std::vector<std::vector<std::string>> parseCsv(std::string_view text);
std::string formatCsv(const std::vector<std::vector<std::string>>& rows);  // CRLF line ends

// kakehashi.fixed, on CP932 bytes. slice: 1-based byte offsets → trimmed UTF-8 (a double-byte character
// cut by the field's edge shows as 〓). pad: UTF-8 → CP932 bytes padded with spaces to `width`, truncated
// without splitting a double-byte character. Throw std::runtime_error.
std::string sliceFixed(std::string_view cp932Line, long long start, long long width);
std::string padFixed(std::string_view utf8Text, size_t width, bool alignRight);

// kakehashi.date: "R6.1.5", "令和6年1月5日", "平成元年5月1日", … → "YYYYMMDD"; nullopt with a Japanese
// message in `why` when the text is not a 和暦 date or the day lies outside the era.
std::optional<std::string> fromWareki(std::string_view text, std::string& why);
// "YYYYMMDD" → "R6.01.05" (letter) or "令和6年1月5日" (kanji; year 1 is 元年).
std::optional<std::string> toWareki(std::string_view yyyymmdd, bool kanji, std::string& why);

// kakehashi.record: an inquiry table as plugins write it ({insurerNumber=…, cardSymbol=…, …}) → the
// model's inquiry with strings trimmed, and every problem (types included) as a field error.
struct InquiryReading {
    model::EligibilityInquiry inquiry;
    std::vector<model::FieldError> errors;
};
InquiryReading readInquiry(const Value& table);
Value inquiryValue(const model::EligibilityInquiry& inquiry);

namespace host {

// Each pushes one table of functions; they run in protected mode while the library is installed.
// openLog's `declarations` are logDeclarations(context), made before (outside protected mode).
void openLog(lua_State* L, const HostContext& context, const Value& declarations);
Value logDeclarations(const HostContext& context);
void openJson(lua_State* L);
void openCsv(lua_State* L);
void openSjis(lua_State* L);
void openFixed(lua_State* L);
void openDate(lua_State* L);
void openCheck(lua_State* L);
void openRecord(lua_State* L);

// Pushes `message` as the error value (protected) and returns -1, for guarded().
int pushError(lua_State* L, const char* message) noexcept;

template <class Work>
int runWork(lua_State* L, Work& work) noexcept {
    try {
        return work();
    } catch (const std::exception& e) {
        return pushError(L, e.what());
    } catch (...) {
        return pushError(L, "host library failure");
    }
}

// The frame of every host function that runs C++ code. `work` may throw; it reads Lua only with calls
// that cannot raise (readValue, lua_type, lua_tolstring on strings…), pushes its results only through
// pushValues, and returns how many it pushed (or -1 with an error value pushed). A Lua error is raised
// here, after every C++ object of `work` is gone. Arguments are checked (luaL_check*) before this frame.
template <class Work>
int guarded(lua_State* L, Work&& work) {
    const int results = runWork(L, work);
    return results >= 0 ? results : lua_error(L);
}

// Shorthands for `work`: the results a host function returns.
int results(lua_State* L, std::vector<Value> values);
int nilAnd(lua_State* L, std::string message);  // nil, message

}  // namespace host
}  // namespace kh::plugins
