// Plugin settings against the plugin's schema: each rule of the subset, schema problems, and what the
// plugin may see (defaults filled, secrets removed).
#include <catch2/catch.hpp>

#include "plugins/settings_schema.hpp"

using namespace kh::plugins;

namespace {

const char* kSchema = R"({
  "type": "object",
  "required": ["url"],
  "properties": {
    "url":     {"type": "string", "pattern": "^https://", "title": "送信先"},
    "port":    {"type": "integer", "minimum": 1, "maximum": 65535, "default": 443},
    "ratio":   {"type": "number", "minimum": 0, "maximum": 1},
    "mode":    {"type": "string", "enum": ["fast", "safe"], "default": "safe"},
    "label":   {"type": "string", "minLength": 2, "maxLength": 4},
    "verbose": {"type": "boolean"},
    "tags":    {"type": "array"},
    "token":   {"type": "string", "secret": true, "minLength": 8},
    "retry":   {"type": "object", "properties": {
                  "count": {"type": "integer", "default": 3},
                  "key":   {"type": "string", "secret": true}}}
  }
})";

std::vector<std::string> problemsOf(const std::string& settings) { return validateSettings(kSchema, settings); }

}  // namespace

TEST_CASE("settings that follow the schema have no problems", "[plugins][settings]") {
    CHECK(problemsOf(R"({"url":"https://a.example","port":8443,"ratio":0.5,"mode":"fast","label":"ab",
                         "verbose":true,"tags":["x"],"token":"12345678","retry":{"count":5,"key":"k"}})")
              .empty());
    CHECK(problemsOf(R"({"url":"https://a.example"})").empty());
}

TEST_CASE("a required setting that is missing is named", "[plugins][settings]") {
    CHECK(problemsOf("{}") == std::vector<std::string>{"settings.url: 入力してください（必須です）"});
}

TEST_CASE("a value of the wrong type is named with the type expected", "[plugins][settings]") {
    CHECK(problemsOf(R"({"url":5})") ==
          std::vector<std::string>{"settings.url: 値の種類が違います：string で入力してください"});
    CHECK(problemsOf(R"({"url":"https://a","port":"443"})").size() == 1);
    CHECK(problemsOf(R"({"url":"https://a","port":1.5})").size() == 1);
    CHECK(problemsOf(R"({"url":"https://a","port":true})").size() == 1);
    CHECK(problemsOf(R"({"url":"https://a","verbose":1})").size() == 1);
    CHECK(problemsOf(R"({"url":"https://a","ratio":"0.5"})").size() == 1);
    CHECK(problemsOf(R"({"url":"https://a","tags":{}})").size() == 1);
    CHECK(problemsOf(R"({"url":"https://a","retry":[]})").size() == 1);
}

TEST_CASE("an integer is any whole number", "[plugins][settings]") {
    CHECK(problemsOf(R"({"url":"https://a","port":8443.0})").empty());
}

TEST_CASE("a value outside its enum is refused with the allowed values", "[plugins][settings]") {
    CHECK(problemsOf(R"({"url":"https://a","mode":"slow"})") ==
          std::vector<std::string>{
              R"(settings.mode: 次のどれかにしてください："fast", "safe")"});
}

TEST_CASE("minimum and maximum bound numbers", "[plugins][settings]") {
    CHECK(problemsOf(R"({"url":"https://a","port":0})") ==
          std::vector<std::string>{"settings.port: 1 以上の数を入力してください"});
    CHECK(problemsOf(R"({"url":"https://a","port":65536})") ==
          std::vector<std::string>{"settings.port: 65535 以下の数を入力してください"});
    CHECK(problemsOf(R"({"url":"https://a","ratio":1.01})").size() == 1);
    CHECK(problemsOf(R"({"url":"https://a","port":65535,"ratio":0})").empty());
}

TEST_CASE("lengths count characters, not bytes", "[plugins][settings]") {
    CHECK(problemsOf(R"({"url":"https://a","label":"日本語"})").empty());  // 3 characters, 9 bytes
    CHECK(problemsOf(R"({"url":"https://a","label":"日"})") ==
          std::vector<std::string>{"settings.label: 2 文字以上で入力してください"});
    CHECK(problemsOf(R"({"url":"https://a","label":"日本語です"})") ==
          std::vector<std::string>{"settings.label: 4 文字以内で入力してください"});
}

TEST_CASE("a pattern is searched for as an ECMAScript regular expression", "[plugins][settings]") {
    auto problems = problemsOf(R"({"url":"http://a"})");
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Catch::StartsWith("settings.url: 形式が正しくありません（"));
}

TEST_CASE("an unknown setting is reported, also inside a nested object", "[plugins][settings]") {
    CHECK(problemsOf(R"({"url":"https://a","colour":"red"})") ==
          std::vector<std::string>{"settings.colour: このプラグインにはない設定です"});
    CHECK(problemsOf(R"({"url":"https://a","retry":{"count":"x","delay":1}})") ==
          std::vector<std::string>{
              "settings.retry.count: 値の種類が違います：integer で入力してください",
              "settings.retry.delay: このプラグインにはない設定です"});
}

TEST_CASE("problems never quote the value of a setting", "[plugins][settings]") {
    for (const auto& p : problemsOf(R"({"url":"https://a","token":"short-1"})"))
        CHECK_THAT(p, !Catch::Contains("short-1"));
}

TEST_CASE("a plugin without settings accepts only empty settings", "[plugins][settings]") {
    CHECK(validateSettings("{}", "{}").empty());
    CHECK(validateSettings("{}", "").empty());
    CHECK(validateSettings("{}", R"({"a":1})") == std::vector<std::string>{"settings.a: このプラグインにはない設定です"});
}

TEST_CASE("malformed settings are one problem", "[plugins][settings]") {
    CHECK(validateSettings(kSchema, "{") ==
          std::vector<std::string>{"settings: JSONの形式が正しくありません (malformed JSON)"});
    CHECK(validateSettings(kSchema, "[]").size() == 1);
}

TEST_CASE("a malformed schema is reported as a schema problem", "[plugins][settings]") {
    auto schemaProblem = [](const std::string& schema) {
        auto problems = validateSettings(schema, "{}");
        return problems.size() == 1 ? problems[0] : "(" + std::to_string(problems.size()) + " problems)";
    };
    CHECK_THAT(schemaProblem("{"), Catch::StartsWith("schema: JSONの形式"));
    CHECK_THAT(schemaProblem(R"({"type":"string"})"), Catch::StartsWith("schema.type:"));
    CHECK_THAT(schemaProblem(R"({"properties":[]})"), Catch::StartsWith("schema.properties:"));
    CHECK_THAT(schemaProblem(R"({"properties":{"a":1}})"), Catch::StartsWith("schema.a:"));
    CHECK_THAT(schemaProblem(R"({"properties":{"a":{"type":"text"}}})"), Catch::StartsWith("schema.a.type:"));
    CHECK_THAT(schemaProblem(R"({"properties":{"a":{"pattern":"("}}})"), Catch::StartsWith("schema.a.pattern:"));
    CHECK_THAT(schemaProblem(R"({"properties":{"a":{"minimum":"1"}}})"), Catch::StartsWith("schema.a.minimum:"));
    CHECK_THAT(schemaProblem(R"({"properties":{"a":{"maxLength":-1}}})"), Catch::StartsWith("schema.a.maxLength:"));
    CHECK_THAT(schemaProblem(R"({"properties":{"a":{"enum":"x"}}})"), Catch::StartsWith("schema.a.enum:"));
    CHECK_THAT(schemaProblem(R"({"properties":{"a":{}},"required":["b"]})"), Catch::StartsWith("schema.required:"));
    CHECK_THAT(schemaProblem(R"({"properties":{"a":{"type":"integer","default":"x"}}})"),
               Catch::StartsWith("schema.a.default:"));
}

TEST_CASE("unknown schema keywords are ignored", "[plugins][settings]") {
    CHECK(validateSettings(R"({"type":"object","x-ui":{"order":1},"properties":{"a":{"format":"uri"}}})",
                           R"({"a":"b"})")
              .empty());
}

TEST_CASE("the plugin sees defaults filled in and no secrets", "[plugins][settings]") {
    auto visible = visibleSettings(kSchema, R"({"url":"https://a","token":"12345678","retry":{"key":"k"}})");
    CHECK(visible == R"({"mode":"safe","port":443,"retry":{"count":3},"url":"https://a"})");
    CHECK(visibleSettings("{}", "{}") == "{}");
}

TEST_CASE("a given value wins over its default", "[plugins][settings]") {
    CHECK(visibleSettings(kSchema, R"({"url":"https://a","port":8443,"mode":"fast","retry":{"count":0}})") ==
          R"({"mode":"fast","port":8443,"retry":{"count":0},"url":"https://a"})");
}

TEST_CASE("the host reads a secret's value as text", "[plugins][settings]") {
    const char* settings = R"({"token":"s3cret-token","port":8443,"nothing":null})";
    CHECK(secretSetting(settings, "token") == "s3cret-token");
    CHECK(secretSetting(settings, "port") == "8443");
    CHECK(secretSetting(settings, "nothing") == "");
    CHECK(secretSetting(settings, "absent") == "");
}
