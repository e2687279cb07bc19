// Reads a bundle's plugin.json and checks every field before the host trusts any of it. Each error names
// the field, in Japanese for staff and English for vendors: "plugin.json: id: … (…)".
#include "plugins/manifest.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace kh::plugins {
namespace {

using Poco::JSON::Object;

[[noreturn]] void fail(const std::string& field, const std::string& why) {
    throw std::runtime_error("plugin.json: " + (field.empty() ? "" : field + ": ") + why);
}

Object::Ptr readManifestObject(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("", "ファイルを読めません (cannot read " + path + ")");
    std::stringstream text;
    text << in.rdbuf();
    Poco::Dynamic::Var parsed;
    try {
        parsed = Poco::JSON::Parser(new Poco::JSON::ParseHandler(true)).parse(text.str());  // keeps the order of properties (forms)
    } catch (const std::exception&) {
        fail("", "JSONの形式が正しくありません (malformed JSON)");
    }
    if (parsed.type() != typeid(Object::Ptr)) fail("", "JSONオブジェクトではありません (not a JSON object)");
    return parsed.extract<Object::Ptr>();
}

std::string requiredString(const Object& json, const std::string& field, const std::string& path) {
    if (!json.has(field)) fail(path, "必須です (required)");
    auto value = json.get(field);
    if (!value.isString() || value.extract<std::string>().empty())
        fail(path, "空でない文字列にしてください (must be a non-empty string)");
    return value.extract<std::string>();
}

// Optional text for people: absent is "", present must be a string of at most 500 characters.
std::string optionalText(const Object& json, const std::string& field) {
    if (!json.has(field)) return "";
    auto value = json.get(field);
    if (!value.isString()) fail(field, "文字列にしてください (must be a string)");
    auto text = value.extract<std::string>();
    size_t characters = 0;
    for (char c : text) characters += (c & 0xC0) != 0x80;
    if (characters > 500) fail(field, "500文字以内にしてください (at most 500 characters)");
    return text;
}

bool matches(const std::string& text, const char* pattern) {
    return std::regex_match(text, std::regex(pattern, std::regex::ECMAScript));
}

// The folder a bundle lives in, by name (lexically: a symlinked bundle folder keeps its own name).
std::string folderName(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    auto slash = dir.rfind('/');
    return slash == std::string::npos ? dir : dir.substr(slash + 1);
}

std::string checkId(const Object& json, const std::string& dir) {
    auto id = requiredString(json, "id", "id");
    if (!matches(id, "^[a-z0-9][a-z0-9-]{1,39}$"))
        fail("id", "英小文字・数字・ハイフンのみ、2〜40文字 (lower-case letters, digits, hyphens; 2 to 40)");
    if (id != folderName(dir))
        fail("id", "フォルダー名と一致しません (does not match the folder name \"" + folderName(dir) + "\")");
    return id;
}

std::string checkVersion(const Object& json) {
    auto version = requiredString(json, "version", "version");
    if (!matches(version, "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$"))
        fail("version", "MAJOR.MINOR.PATCH 形式にしてください (must be semver MAJOR.MINOR.PATCH, e.g. 1.2.3)");
    return version;
}

int checkApiLevel(const Object& json) {
    if (!json.has("apiLevel")) fail("apiLevel", "必須です (required)");
    auto value = json.get("apiLevel");
    if (value.isBoolean() || !value.isInteger()) fail("apiLevel", "整数にしてください (must be an integer)");
    long long level = 0;
    try {
        level = value.convert<long long>();
    } catch (const std::exception&) {
        level = LLONG_MAX;  // beyond any host's level
    }
    if (level > kHostApiLevel)
        fail("apiLevel", "このプラグインにはホストAPIレベル " + std::to_string(level) + " が必要です。本機は " +
                             std::to_string(kHostApiLevel) + " です (plugin needs host API level " +
                             std::to_string(level) + ", this box has " + std::to_string(kHostApiLevel) + ")");
    if (level < 1) fail("apiLevel", "1 以上にしてください (must be at least 1)");
    return int(level);
}

std::string checkKind(const Object& json) {
    auto kind = requiredString(json, "kind", "kind");
    if (kind != "adapter") fail("kind", "\"adapter\" のみ使えます (only \"adapter\" is supported)");
    return kind;
}

bool isRegularFileInside(const std::string& dir, const std::string& file) {
    struct stat st {};
    if (lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    std::unique_ptr<char, decltype(&std::free)> realDir(realpath(dir.c_str(), nullptr), &std::free);
    std::unique_ptr<char, decltype(&std::free)> realFile(realpath(file.c_str(), nullptr), &std::free);
    if (!realDir || !realFile) return false;
    return std::string(realFile.get()).rfind(std::string(realDir.get()) + "/", 0) == 0;
}

// The entry is a relative .lua file inside the bundle: no absolute path, no "..", no symlink out.
std::string checkEntry(const Object& json, const std::string& dir) {
    auto entry = requiredString(json, "entry", "entry");
    if (entry.front() == '/' || entry.find('\\') != std::string::npos)
        fail("entry", "バンドル内の相対パスにしてください (must be a relative path inside the bundle)");
    if (("/" + entry + "/").find("/../") != std::string::npos)
        fail("entry", "\"..\" は使えません (must not contain \"..\")");
    if (entry.size() < 5 || entry.compare(entry.size() - 4, 4, ".lua") != 0)
        fail("entry", ".lua ファイルにしてください (must be a .lua file)");
    if (!isRegularFileInside(dir, dir + "/" + entry))
        fail("entry", "バンドル内にファイルがありません (no such file inside the bundle: " + entry + ")");
    return entry;
}

std::string checkSettingsSchema(const Object& json) {
    if (!json.has("settings")) return "{}";
    auto value = json.get("settings");
    if (value.type() != typeid(Object::Ptr)) fail("settings", "JSONオブジェクトにしてください (must be a JSON object)");
    std::ostringstream text;
    value.extract<Object::Ptr>()->stringify(text);
    return text.str();
}

constexpr const char* kNamePart = "[a-z0-9-]{1,40}";
constexpr size_t kMaxLogDeclarations = 64;  // messages, fields, or codes of one field

// http: "response" (answers in the reply, the default) or "webhook" (pushed to the callback later).
std::string checkDelivery(const Object& json, const std::string& path) {
    if (!json.has("delivery")) return "response";
    auto delivery = requiredString(json, "delivery", path + ".delivery");
    if (delivery != "response" && delivery != "webhook")
        fail(path + ".delivery", "\"response\" か \"webhook\" にしてください (must be \"response\" or \"webhook\")");
    return delivery;
}

ChannelBinding checkChannel(const Object& json, const std::string& path) {
    ChannelBinding channel;
    channel.type = requiredString(json, "type", path + ".type");
    if (channel.type == "file") {
        channel.folder = requiredString(json, "folder", path + ".folder");
        if (!matches(channel.folder, (std::string("^") + kNamePart + "$").c_str()))
            fail(path + ".folder",
                 "英小文字・数字・ハイフンのみ、1〜40文字 (lower-case letters, digits, hyphens; 1 to 40)");
        channel.pattern = requiredString(json, "pattern", path + ".pattern");
        if (!matches(channel.pattern, "^[A-Za-z0-9_.*?-]{1,100}$"))
            fail(path + ".pattern", "英数字と _ . * ? - のみ (letters, digits and _ . * ? - only)");
    } else if (channel.type == "http") {
        channel.route = requiredString(json, "route", path + ".route");
        auto routePattern = std::string("^") + kNamePart + "(/" + kNamePart + ")*$";
        if (!matches(channel.route, routePattern.c_str()))
            fail(path + ".route", "英小文字・数字・ハイフンを / で区切ったもの (lower-case segments separated by /)");
        channel.delivery = checkDelivery(json, path);
    } else {
        fail(path + ".type", "\"file\" か \"http\" にしてください (must be \"file\" or \"http\")");
    }
    return channel;
}

std::vector<ChannelBinding> checkChannels(const Object& json) {
    std::vector<ChannelBinding> channels;
    if (!json.has("channels")) return channels;
    auto list = json.getArray("channels");
    if (!list) fail("channels", "配列にしてください (must be an array)");
    for (size_t i = 0; i < list->size(); ++i) {
        auto path = "channels[" + std::to_string(i) + "]";
        auto item = list->getObject(unsigned(i));
        if (!item) fail(path, "JSONオブジェクトにしてください (must be a JSON object)");
        channels.push_back(checkChannel(*item, path));
    }
    return channels;
}

// ^[a-z0-9-]{1,40}$ each, no duplicates: the message ids kakehashi.log may write.
std::vector<std::string> checkLogMessages(const Object& json) {
    std::vector<std::string> messages;
    if (!json.has("logMessages")) return messages;
    auto list = json.getArray("logMessages");
    if (!list) fail("logMessages", "文字列の配列にしてください (must be an array of strings)");
    if (list->size() > kMaxLogDeclarations)
        fail("logMessages", "多すぎます (at most " + std::to_string(kMaxLogDeclarations) + ")");
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string path = "logMessages[" + std::to_string(i) + "]";
        auto value = list->get(unsigned(i));
        if (!value.isString()) fail(path, "文字列にしてください (must be a string)");
        auto id = value.extract<std::string>();
        if (!matches(id, "^[a-z0-9-]{1,40}$"))
            fail(path, "英小文字・数字・ハイフンのみ、1〜40文字 (lower-case letters, digits, hyphens; 1 to 40)");
        if (std::find(messages.begin(), messages.end(), id) != messages.end())
            fail(path, "重複しています (\"" + id + "\" is listed twice)");
        messages.push_back(id);
    }
    return messages;
}

// A code is short, ASCII and holds no number long enough to be an insured number, a birth date or a phone.
bool isLogCode(const std::string& code) {
    return matches(code, "^[A-Za-z0-9_.:-]{1,32}$") && !matches(code, ".*[0-9]{4}.*");
}

std::vector<std::string> checkLogCodes(const Poco::Dynamic::Var& value, const std::string& path) {
    auto spec = value.type() == typeid(Object::Ptr) ? value.extract<Object::Ptr>() : nullptr;
    auto list = spec && spec->size() == 1 ? spec->getArray("code") : nullptr;
    if (!list || list->size() == 0)
        fail(path, "\"count\", \"duration_ms\", \"bool\" か {\"code\": [値, …]} にしてください (must be \"count\", "
                   "\"duration_ms\", \"bool\" or {\"code\": [values…]})");
    if (list->size() > kMaxLogDeclarations)
        fail(path + ".code", "多すぎます (at most " + std::to_string(kMaxLogDeclarations) + ")");
    std::vector<std::string> codes;
    for (size_t i = 0; i < list->size(); ++i) {
        auto item = list->get(unsigned(i));
        const std::string itemPath = path + ".code[" + std::to_string(i) + "]";
        if (!item.isString() || !isLogCode(item.extract<std::string>()))
            fail(itemPath, "英数字と _ . : - の1〜32文字で、数字は3桁まで続けられます (1 to 32 of letters, digits, _ . : -; "
                           "no 4 digits in a row)");
        codes.push_back(item.extract<std::string>());
    }
    return codes;
}

// {"name": "count" | "duration_ms" | "bool" | {"code": [...]}}: the fields kakehashi.log may write.
std::vector<LogField> checkLogFields(const Object& json) {
    std::vector<LogField> fields;
    if (!json.has("logFields")) return fields;
    auto object = json.getObject("logFields");
    if (!object) fail("logFields", "JSONオブジェクトにしてください (must be a JSON object)");
    if (object->size() > kMaxLogDeclarations)
        fail("logFields", "多すぎます (at most " + std::to_string(kMaxLogDeclarations) + ")");
    for (const auto& name : object->getNames()) {
        const std::string path = "logFields." + name;
        if (!matches(name, "^[a-z][A-Za-z0-9_]{0,31}$") || name == "dropped_fields")
            fail(path, "名前は英小文字で始まる英数字と _ の1〜32文字です (a name is 1 to 32 letters, digits or _, starting "
                       "with a lower-case letter; not dropped_fields)");
        LogField field{name, LogField::Kind::Count, {}};
        auto value = object->get(name);
        const std::string kind = value.isString() ? value.extract<std::string>() : "";
        if (kind == "count") field.kind = LogField::Kind::Count;
        else if (kind == "duration_ms") field.kind = LogField::Kind::DurationMs;
        else if (kind == "bool") field.kind = LogField::Kind::Bool;
        else {
            field.kind = LogField::Kind::Code;
            field.codes = checkLogCodes(value, path);
        }
        fields.push_back(std::move(field));
    }
    return fields;
}

}  // namespace

Manifest loadManifest(const std::string& dir) {
    auto json = readManifestObject(dir + "/plugin.json");
    Manifest manifest;
    manifest.id = checkId(*json, dir);
    manifest.name = requiredString(*json, "name", "name");
    manifest.description = optionalText(*json, "description");
    manifest.version = checkVersion(*json);
    manifest.apiLevel = checkApiLevel(*json);
    manifest.kind = checkKind(*json);
    manifest.entry = checkEntry(*json, dir);
    manifest.settingsSchemaJson = checkSettingsSchema(*json);
    manifest.channels = checkChannels(*json);
    manifest.logMessages = checkLogMessages(*json);
    manifest.logFields = checkLogFields(*json);
    return manifest;
}

}  // namespace kh::plugins
