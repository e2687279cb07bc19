// Tests of kakehashi.log: a plugin logs only the messages and fields its manifest declares, each value in
// its kind; patient data in any spelling, tried as the message, as a field name and as the value of every
// kind of field, never reaches the log line.
#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

#include "snippets.hpp"

using namespace kh::plugins;
using kh::test::capturedStderr;
using kh::test::Snippets;

namespace {

HostContext declaringContext() {
    HostContext context;
    context.pluginId = "logger";
    context.pluginVersion = "0.0.1";
    context.visibleSettingsJson = "{}";
    context.logMessages = {"file-read", "entry-skipped"};
    context.logFields = {{"entries", LogField::Kind::Count, {}},
                         {"elapsedMs", LogField::Kind::DurationMs, {}},
                         {"partial", LogField::Kind::Bool, {}},
                         {"reason", LogField::Kind::Code, {"bad-date", "no-insurer", "E108"}}};
    return context;
}

// The plugin.log lines of `output`, one JSON object each.
std::vector<std::string> pluginLines(const std::string& output) {
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t end; (end = output.find('\n', start)) != std::string::npos; start = end + 1) {
        std::string line = output.substr(start, end - start);
        if (line.find("\"event\":\"plugin.log\"") != std::string::npos) lines.push_back(line);
    }
    return lines;
}

// A log line in the only shape a declaring plugin can give it: a declared message (or "undeclared"), and
// fields that are declared names with a value in the field's kind.
bool onlyDeclared(const std::string& line) {
    static const std::regex shape(
        R"re(\{"ts":"[^"]+","level":"(info|warn|error)","event":"plugin.log","plugin":"logger",)re"
        R"re("message":"(file-read|entry-skipped|undeclared)",)re"
        R"re("fields":"((entries=[0-9]{1,5}|elapsedMs=[0-9]{1,5}|partial=(true|false)|reason=(bad-date|no-insurer|E108)) ?)*")re"
        R"re((,"dropped_fields":"[0-9]+")?\})re");
    return std::regex_match(line, shape);
}

// Birth dates in every calendar and separator, names in kana, kanji and Latin letters, numbers split by
// spaces or hyphens, phone numbers and e-mail addresses.
const std::vector<std::string> kPatientData = {
    "19800101", "1980-01-01", "1980/01/01", "1980.01.01", "1980 01 01", "01/01/1980", "1 Jan 1980", "Jan 1, 1980",
    "1980年1月1日", "S55.1.1", "S55.01.01", "s55-1-1", "S55/1/1", "昭和55年1月1日", "昭和５５年１月１日", "R6.1.2",
    "R06.01.02", "r6/1/2", "2024/01/02", "令和6年1月2日", "令和元年5月1日", "令和６年１月２日", "H06-01-02", "H6 1 2",
    "平成6年1月2日", "Ｈ６．１．２", "２０２４／０１／０２", "M45.7.29", "T15.12.25", "明治45年7月29日",
    "やまだ たろう", "ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ", "山田太郎", "山田　太郎", "髙橋", "Yamada Taro", "YAMADA", "Taro",
    "yamada.taro", "T.Yamada", "taro_yamada",
    "01130012", "0113 0012", "0113-0012", "01-13-00-12", "1 2 3 4 5 6 7 8", "１２３４５６７８", "記号12-34番号5678",
    "12345678901", "1234 5678 9012",
    "03-1234-5678", "090-1234-5678", "09012345678", "+81 90 1234 5678", "(03) 1234-5678", "０３－１２３４－５６７８",
    "taro@example.jp", "yamada.taro@clinic.example.com", "t_yamada+ok@example.org",
};

// Every way a plugin could try to log `data`: as the message, as a field name, as the value of a field of
// each kind (and as a number, where Lua reads it as one).
const char* const kAttempts = R"LUA(
local data = ...
local log = kakehashi.log
log.info(data)
log.warn(data, {entries = 1})
log.error('entry-skipped', {entries = data, elapsedMs = data, partial = data, reason = data})
log.info('file-read', {[data] = 1, note = data, data})
local n = tonumber(data)
if n then log.info('file-read', {entries = n, elapsedMs = n, partial = n, reason = n}) end
log.info('file-read', {reason = {data}, entries = {data}})
)LUA";

}  // namespace

TEST_CASE("a plugin logs its declared messages and fields, each value in its kind", "[plugins][host][log]") {
    Snippets lua({}, declaringContext());
    const auto lines = pluginLines(capturedStderr([&] {
        lua.run("kakehashi.log.info('file-read', {entries = 3, elapsedMs = 12.4, partial = false, reason = 'E108'})");
        lua.run("kakehashi.log.warn('entry-skipped', {reason = 'bad-date', entries = 10001, elapsedMs = -1, "
                "partial = 'yes', patient = 'P0001', 'extra'})");
        lua.run("kakehashi.log.error('no-such-message')");
        lua.run("kakehashi.log.info('file-read', {elapsedMs = 0/0, entries = 2.5})");
    }));
    REQUIRE(lines.size() == 4);
    CHECK_THAT(lines[0], Catch::Contains(R"("level":"info")") && Catch::Contains(R"("plugin":"logger")") &&
                             Catch::Contains(R"("message":"file-read")") &&
                             Catch::Contains(R"("fields":"elapsedMs=12 entries=3 partial=false reason=E108")") &&
                             !Catch::Contains("dropped_fields"));
    CHECK_THAT(lines[1], Catch::Contains(R"("level":"warn")") && Catch::Contains(R"("message":"entry-skipped")") &&
                             Catch::Contains(R"("fields":"reason=bad-date")") &&
                             Catch::Contains(R"("dropped_fields":"5")") && !Catch::Contains("P0001"));
    CHECK_THAT(lines[2], Catch::Contains(R"("message":"undeclared")") && !Catch::Contains("no-such-message"));
    CHECK_THAT(lines[3], Catch::Contains(R"("fields":"")") && Catch::Contains(R"("dropped_fields":"2")"));
    for (const auto& line : lines) CHECK(onlyDeclared(line));
}

TEST_CASE("a plugin that declares nothing logs nothing of its own", "[plugins][host][log]") {
    Snippets lua;
    const auto lines = pluginLines(capturedStderr([&] { lua.run("kakehashi.log.info('file-read', {entries = 1})"); }));
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::Contains(R"("message":"undeclared","fields":"","dropped_fields":"1")"));
}

TEST_CASE("patient data in any spelling never reaches the log", "[plugins][host][log]") {
    Snippets lua({}, declaringContext());
    for (const std::string& data : kPatientData) {
        INFO(data);
        const std::string output = capturedStderr([&] { lua.run(kAttempts, {Value::fromString(data)}); });
        const auto lines = pluginLines(output);
        CHECK(lines.size() >= 5);  // one more where Lua reads the data as a number
        CHECK(output.find(data) == std::string::npos);
        for (const auto& line : lines) {
            INFO(line);
            CHECK(onlyDeclared(line));
        }
    }
}

TEST_CASE("the message must be a string and the fields a table", "[plugins][host][log]") {
    Snippets lua({}, declaringContext());
    CHECK_THAT(lua.error("kakehashi.log.info(19800101)"), Catch::Contains("string expected"));
    CHECK_THAT(lua.error("kakehashi.log.info('file-read', '19800101')"), Catch::Contains("table expected"));
}
