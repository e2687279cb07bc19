// plugin.json: a valid manifest is read whole; every bad field is refused with its name in the message.
#include <catch2/catch.hpp>

#include "../temp_dir.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "plugins/manifest.hpp"

using namespace kh::plugins;
namespace fs = std::filesystem;

namespace {

std::string tempDir() { return kh::test::tempDir("manifest"); }

void writeFile(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

// plugin.json with each field's raw JSON; an override of "" leaves the field out.
std::string manifestJson(const std::map<std::string, std::string>& overrides = {}) {
    std::map<std::string, std::string> fields = {
        {"id", R"("vendor-a")"},
        {"name", R"("ベンダーA CSV")"},
        {"version", R"("1.2.3")"},
        {"apiLevel", "1"},
        {"kind", R"("adapter")"},
        {"entry", R"("adapter.lua")"},
    };
    for (const auto& [k, v] : overrides) fields[k] = v;
    std::string json = "{";
    for (const auto& [k, v] : fields)
        if (!v.empty()) json += (json.size() > 1 ? "," : "") + ("\"" + k + "\":" + v);
    return json + "}";
}

// A bundle folder <tmp>/<folder> with adapter.lua and the given plugin.json.
std::string bundle(const std::string& json, const std::string& folder = "vendor-a") {
    auto dir = tempDir() + "/" + folder;
    writeFile(dir + "/adapter.lua", "return {}\n");
    writeFile(dir + "/plugin.json", json);
    return dir;
}

}  // namespace

TEST_CASE("a valid manifest is read with its settings schema and channels", "[plugins][manifest]") {
    auto dir = bundle(manifestJson({
        {"settings", R"({"type":"object","properties":{"url":{"type":"string"}}})"},
        {"channels", R"([{"type":"file","folder":"vendor-a","pattern":"*.csv"},
                         {"type":"http","route":"v1/inquiries","delivery":"webhook"}])"},
    }));
    auto m = loadManifest(dir);
    CHECK(m.id == "vendor-a");
    CHECK(m.name == "ベンダーA CSV");
    CHECK(m.version == "1.2.3");
    CHECK(m.apiLevel == 1);
    CHECK(m.kind == "adapter");
    CHECK(m.entry == "adapter.lua");
    CHECK(m.settingsSchemaJson == R"({"type":"object","properties":{"url":{"type":"string"}}})");  // as written
    REQUIRE(m.channels.size() == 2);
    CHECK(m.channels[0].type == "file");
    CHECK(m.channels[0].folder == "vendor-a");
    CHECK(m.channels[0].pattern == "*.csv");
    CHECK(m.channels[1].type == "http");
    CHECK(m.channels[1].route == "v1/inquiries");
    CHECK(m.channels[1].delivery == "webhook");
}

TEST_CASE("a manifest without settings or channels has an empty schema and no channels", "[plugins][manifest]") {
    auto m = loadManifest(bundle(manifestJson()));
    CHECK(m.settingsSchemaJson == "{}");
    CHECK(m.channels.empty());
}

TEST_CASE("an http channel answers in the response unless it says webhook", "[plugins][manifest]") {
    auto m = loadManifest(bundle(manifestJson({{"channels", R"([{"type":"http","route":"inquiries"}])"}})));
    REQUIRE(m.channels.size() == 1);
    CHECK(m.channels[0].delivery == "response");
}

TEST_CASE("each bad field is refused with the field named", "[plugins][manifest]") {
    struct Case {
        std::string field, value, expected;
    };
    std::vector<Case> cases = {
        {"id", "", "plugin.json: id: 必須です (required)"},
        {"id", R"("Vendor_A")", "plugin.json: id: 英小文字・数字・ハイフンのみ"},
        {"id", R"("-vendor")", "plugin.json: id: 英小文字・数字・ハイフンのみ"},
        {"id", R"("vendor-b")", "plugin.json: id: フォルダー名と一致しません"},
        {"name", "", "plugin.json: name: 必須です (required)"},
        {"name", R"("")", "plugin.json: name:"},
        {"version", R"("1.2")", "plugin.json: version: MAJOR.MINOR.PATCH"},
        {"version", R"("01.2.3")", "plugin.json: version:"},
        {"apiLevel", R"("1")", "plugin.json: apiLevel: 整数にしてください (must be an integer)"},
        {"apiLevel", "0", "plugin.json: apiLevel: 1 以上"},
        {"apiLevel", "1.5", "plugin.json: apiLevel:"},
        {"kind", R"("exporter")", "plugin.json: kind:"},
        {"entry", "", "plugin.json: entry: 必須です (required)"},
        {"entry", R"("adapter.py")", "plugin.json: entry: .lua"},
        {"entry", R"("missing.lua")", "plugin.json: entry: バンドル内にファイルがありません"},
        {"settings", R"([])", "plugin.json: settings:"},
        {"channels", R"({})", "plugin.json: channels:"},
        {"channels", R"([{"type":"ftp"}])", "plugin.json: channels[0].type:"},
        {"channels", R"([{"type":"file","pattern":"*.csv"}])", "plugin.json: channels[0].folder: 必須です"},
        {"channels", R"([{"type":"file","folder":"A/B","pattern":"*.csv"}])", "plugin.json: channels[0].folder:"},
        {"channels", R"([{"type":"file","folder":"a","pattern":"../*.csv"}])", "plugin.json: channels[0].pattern:"},
        {"channels", R"([{"type":"http","route":"/x"}])", "plugin.json: channels[0].route:"},
        {"channels", R"([{"type":"http","route":"a//b"}])", "plugin.json: channels[0].route:"},
        {"channels", R"([{"type":"http","route":"a","delivery":"mail"}])", "plugin.json: channels[0].delivery:"},
        {"logMessages", R"("file-read")", "plugin.json: logMessages: 文字列の配列"},
        {"logMessages", R"(["file-read", 3])", "plugin.json: logMessages[1]: 文字列"},
        {"logMessages", R"(["File Read"])", "plugin.json: logMessages[0]: 英小文字・数字・ハイフンのみ"},
        {"logMessages", R"(["a", "a"])", "plugin.json: logMessages[1]: 重複しています"},
        {"logMessages", R"([")" + std::string(41, 'a') + R"("])", "plugin.json: logMessages[0]:"},
        {"logFields", R"([])", "plugin.json: logFields: JSONオブジェクト"},
        {"logFields", R"({"Entries":"count"})", "plugin.json: logFields.Entries: 名前は"},
        {"logFields", R"({"dropped_fields":"count"})", "plugin.json: logFields.dropped_fields: 名前は"},
        {"logFields", R"({"patient":"text"})", "plugin.json: logFields.patient: \"count\""},
        {"logFields", R"({"reason":"code"})", "plugin.json: logFields.reason: \"count\""},
        {"logFields", R"({"reason":{"code":[]}})", "plugin.json: logFields.reason: \"count\""},
        {"logFields", R"({"reason":{"code":["ok"],"extra":1}})", "plugin.json: logFields.reason:"},
        {"logFields", R"({"reason":{"code":["ok", "E19800101"]}})", "plugin.json: logFields.reason.code[1]: 英数字"},
        {"logFields", R"({"reason":{"code":["Yamada Taro"]}})", "plugin.json: logFields.reason.code[0]:"},
        {"logFields", R"({"reason":{"code":["山田"]}})", "plugin.json: logFields.reason.code[0]:"},
        {"logFields", R"({"reason":{"code":[1]}})", "plugin.json: logFields.reason.code[0]:"},
    };
    for (const auto& c : cases) {
        INFO(c.field << " = " << c.value);
        auto dir = bundle(manifestJson({{c.field, c.value}}));
        CHECK_THROWS_WITH(loadManifest(dir), Catch::StartsWith(c.expected));
    }
}

TEST_CASE("log messages and fields are read from the manifest", "[plugins][manifest]") {
    auto m = loadManifest(bundle(manifestJson({
        {"logMessages", R"(["file-read", "entry-skipped"])"},
        {"logFields", R"({"entries":"count","elapsedMs":"duration_ms","partial":"bool",
                         "reason":{"code":["bad-date","E108","no.insurer:x"]}})"},
    })));
    CHECK(m.logMessages == std::vector<std::string>{"file-read", "entry-skipped"});
    REQUIRE(m.logFields.size() == 4);
    std::map<std::string, LogField> byName;
    for (const auto& f : m.logFields) byName[f.name] = f;
    CHECK(byName["entries"].kind == LogField::Kind::Count);
    CHECK(byName["elapsedMs"].kind == LogField::Kind::DurationMs);
    CHECK(byName["partial"].kind == LogField::Kind::Bool);
    CHECK(byName["reason"].kind == LogField::Kind::Code);
    CHECK(byName["reason"].codes == std::vector<std::string>{"bad-date", "E108", "no.insurer:x"});

    auto none = loadManifest(bundle(manifestJson()));
    CHECK(none.logMessages.empty());
    CHECK(none.logFields.empty());
}

TEST_CASE("an entry that leaves the bundle is refused", "[plugins][manifest]") {
    SECTION("parent folder") {
        auto dir = bundle(manifestJson({{"entry", R"("../adapter.lua")"}}));
        writeFile(dir + "/../adapter.lua", "return {}\n");
        CHECK_THROWS_WITH(loadManifest(dir), Catch::Contains("plugin.json: entry: \"..\""));
    }
    SECTION("absolute path") {
        auto dir = bundle(manifestJson({{"entry", R"("/tmp/adapter.lua")"}}));
        CHECK_THROWS_WITH(loadManifest(dir), Catch::Contains("plugin.json: entry:"));
    }
    SECTION("symbolic link to a file outside") {
        auto dir = bundle(manifestJson({{"entry", R"("linked.lua")"}}));
        writeFile(dir + "/../outside.lua", "return {}\n");
        fs::create_symlink(dir + "/../outside.lua", dir + "/linked.lua");
        CHECK_THROWS_WITH(loadManifest(dir), Catch::Contains("plugin.json: entry:"));
    }
}

TEST_CASE("an entry in a sub-folder of the bundle is accepted", "[plugins][manifest]") {
    auto dir = bundle(manifestJson({{"entry", R"("src/main.lua")"}}));
    writeFile(dir + "/src/main.lua", "return {}\n");
    CHECK(loadManifest(dir).entry == "src/main.lua");
}

TEST_CASE("a plugin written for a newer host API level is refused with both levels", "[plugins][manifest]") {
    auto dir = bundle(manifestJson({{"apiLevel", "2"}}));
    CHECK_THROWS_WITH(loadManifest(dir),
                      Catch::Contains("plugin.json: apiLevel:") &&
                          Catch::Contains("plugin needs host API level 2, this box has 1"));
}

TEST_CASE("a missing or malformed plugin.json is refused", "[plugins][manifest]") {
    auto dir = bundle("{\"id\": ");
    CHECK_THROWS_WITH(loadManifest(dir), Catch::Contains("malformed JSON"));
    CHECK_THROWS_WITH(loadManifest(tempDir() + "/nothing-here"), Catch::Contains("cannot read"));
    CHECK_THROWS_WITH(loadManifest(bundle("[1]")), Catch::Contains("not a JSON object"));
}
