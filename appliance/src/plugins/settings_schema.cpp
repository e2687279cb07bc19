// Plugin settings against the plugin's schema (a JSON-Schema subset, see the header): the schema is
// checked first, then the staff's settings; problems name the setting and never quote its value, since
// a value may be a secret. Nested objects are checked at any depth.
#include "plugins/settings_schema.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cmath>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace kh::plugins {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;
using Problems = std::vector<std::string>;

bool isObject(const Var& v) { return v.type() == typeid(Object::Ptr); }
bool isArray(const Var& v) { return v.type() == typeid(Array::Ptr); }
bool isNumber(const Var& v) { return !v.isBoolean() && v.isNumeric(); }

bool isWholeNumber(const Var& v) {
    if (!isNumber(v)) return false;
    if (v.isInteger()) return true;
    double d = v.convert<double>();
    return std::isfinite(d) && std::floor(d) == d;
}

std::string compact(const Var& v) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(v, out);
    return out.str();
}

// Parses JSON text; "" counts as an empty object. Throws std::runtime_error.
Var parseJson(const std::string& text) {
    if (text.empty()) return Object::Ptr(new Object);
    try {
        return Poco::JSON::Parser().parse(text);
    } catch (const std::exception&) {
        throw std::runtime_error("JSONの形式が正しくありません (malformed JSON)");
    }
}

std::string problem(const std::string& path, const std::string& why) { return path + ": " + why; }

bool flag(const Object& node, const char* keyword) {
    return node.has(keyword) && node.get(keyword).isBoolean() && node.get(keyword).convert<bool>();
}

std::string typeOf(const Object& node) {
    return node.has("type") && node.get("type").isString() ? node.get("type").extract<std::string>() : "";
}

bool hasType(const Var& v, const std::string& type) {
    if (type == "string") return v.isString();
    if (type == "boolean") return v.isBoolean();
    if (type == "integer") return isWholeNumber(v);
    if (type == "number") return isNumber(v);
    if (type == "object") return isObject(v);
    if (type == "array") return isArray(v);
    return false;
}

size_t codePoints(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

bool jsonEqual(const Var& a, const Var& b) {
    if (isNumber(a) && isNumber(b)) return a.convert<double>() == b.convert<double>();
    return compact(a) == compact(b);
}

// ---- The schema itself -----------------------------------------------------------------------------

void checkValue(const Object& node, const Var& value, const std::string& path, Problems& out);

void checkSchemaNode(const Object& node, const std::string& path, Problems& out);

void checkSchemaType(const Object& node, const std::string& path, Problems& out) {
    static const std::set<std::string> kTypes = {"object", "string", "integer", "number", "boolean", "array"};
    if (node.has("type") && !kTypes.count(typeOf(node)))
        out.push_back(problem(path + ".type", "object, string, integer, number, boolean, array のいずれか "
                                              "(must be one of object, string, integer, number, boolean, array)"));
}

void checkSchemaProperties(const Object& node, const std::string& path, Problems& out) {
    if (!node.has("properties")) return;
    auto properties = node.getObject("properties");
    if (!properties) {
        out.push_back(problem(path + ".properties", "JSONオブジェクトにしてください (must be a JSON object)"));
        return;
    }
    for (const auto& [name, property] : *properties) {
        if (isObject(property))
            checkSchemaNode(*property.extract<Object::Ptr>(), path + "." + name, out);
        else
            out.push_back(problem(path + "." + name, "JSONオブジェクトにしてください (must be a JSON object)"));
    }
}

void checkSchemaRequired(const Object& node, const std::string& path, Problems& out) {
    if (!node.has("required")) return;
    auto required = node.getArray("required");
    auto properties = node.getObject("properties");
    if (!required) {
        out.push_back(problem(path + ".required", "文字列の配列にしてください (must be an array of strings)"));
        return;
    }
    for (size_t i = 0; i < required->size(); ++i) {
        auto name = required->get(unsigned(i));
        if (!name.isString())
            out.push_back(problem(path + ".required", "文字列の配列にしてください (must be an array of strings)"));
        else if (!properties || !properties->has(name.extract<std::string>()))
            out.push_back(problem(path + ".required", "\"" + name.extract<std::string>() +
                                                          "\" が properties にありません (is not in properties)"));
    }
}

void checkSchemaKeywordTypes(const Object& node, const std::string& path, Problems& out) {
    for (const char* k : {"minimum", "maximum"})
        if (node.has(k) && !isNumber(node.get(k)))
            out.push_back(problem(path + "." + k, "数値にしてください (must be a number)"));
    for (const char* k : {"minLength", "maxLength"})
        if (node.has(k) && !(isWholeNumber(node.get(k)) && node.get(k).convert<double>() >= 0))
            out.push_back(problem(path + "." + k, "0 以上の整数にしてください (must be a whole number, 0 or more)"));
    if (node.has("enum") && !isArray(node.get("enum")))
        out.push_back(problem(path + ".enum", "配列にしてください (must be an array)"));
    if (node.has("secret") && !node.get("secret").isBoolean())
        out.push_back(problem(path + ".secret", "true か false にしてください (must be true or false)"));
}

void checkSchemaPattern(const Object& node, const std::string& path, Problems& out) {
    if (!node.has("pattern")) return;
    auto pattern = node.get("pattern");
    if (!pattern.isString()) {
        out.push_back(problem(path + ".pattern", "文字列にしてください (must be a string)"));
        return;
    }
    try {
        std::regex(pattern.extract<std::string>(), std::regex::ECMAScript);
    } catch (const std::regex_error&) {
        out.push_back(problem(path + ".pattern", "正規表現が正しくありません (not a valid regular expression)"));
    }
}

// A default must itself be a valid value; checked only once the rest of the node is sound.
void checkSchemaDefault(const Object& node, const std::string& path, Problems& out) {
    if (!node.has("default")) return;
    Problems defaultProblems;
    checkValue(node, node.get("default"), path + ".default", defaultProblems);
    out.insert(out.end(), defaultProblems.begin(), defaultProblems.end());
}

void checkSchemaNode(const Object& node, const std::string& path, Problems& out) {
    auto before = out.size();
    checkSchemaType(node, path, out);
    checkSchemaProperties(node, path, out);
    checkSchemaRequired(node, path, out);
    checkSchemaKeywordTypes(node, path, out);
    checkSchemaPattern(node, path, out);
    if (out.size() == before) checkSchemaDefault(node, path, out);
}

Problems checkSchema(const Var& schema) {
    if (!isObject(schema)) return {problem("schema", "JSONオブジェクトにしてください (must be a JSON object)")};
    const auto& root = *schema.extract<Object::Ptr>();
    if (root.has("type") && typeOf(root) != "object")
        return {problem("schema.type", "最上位は \"object\" にしてください (the top level must be \"object\")")};
    Problems out;
    checkSchemaNode(root, "schema", out);
    return out;
}

// ---- Settings against the schema -------------------------------------------------------------------

void checkObject(const Object& node, const Object& value, const std::string& path, Problems& out) {
    auto properties = node.getObject("properties");
    if (auto required = node.getArray("required"))
        for (size_t i = 0; i < required->size(); ++i) {
            auto name = required->get(unsigned(i)).toString();
            if (!value.has(name)) out.push_back(problem(path + "." + name, "入力してください（必須です）"));
        }
    for (const auto& [name, item] : value) {
        auto property = properties ? properties->getObject(name) : Object::Ptr();
        if (!property)
            out.push_back(problem(path + "." + name, "このプラグインにはない設定です"));
        else
            checkValue(*property, item, path + "." + name, out);
    }
}

void checkEnum(const Object& node, const Var& value, const std::string& path, Problems& out) {
    auto allowed = node.getArray("enum");
    if (!allowed) return;
    std::string list;
    for (size_t i = 0; i < allowed->size(); ++i) {
        if (jsonEqual(allowed->get(unsigned(i)), value)) return;
        list += (i ? ", " : "") + compact(allowed->get(unsigned(i)));
    }
    out.push_back(problem(path, "次のどれかにしてください：" + list));
}

void checkRange(const Object& node, const Var& value, const std::string& path, Problems& out) {
    double d = value.convert<double>();
    if (node.has("minimum") && d < node.get("minimum").convert<double>()) {
        auto minimum = compact(node.get("minimum"));
        out.push_back(problem(path, minimum + " 以上の数を入力してください"));
    }
    if (node.has("maximum") && d > node.get("maximum").convert<double>()) {
        auto maximum = compact(node.get("maximum"));
        out.push_back(problem(path, maximum + " 以下の数を入力してください"));
    }
}

void checkLength(const Object& node, const std::string& text, const std::string& path, Problems& out) {
    auto length = codePoints(text);
    if (node.has("minLength") && length < node.get("minLength").convert<double>()) {
        auto minimum = compact(node.get("minLength"));
        out.push_back(problem(path, minimum + " 文字以上で入力してください"));
    }
    if (node.has("maxLength") && length > node.get("maxLength").convert<double>()) {
        auto maximum = compact(node.get("maxLength"));
        out.push_back(problem(path, maximum + " 文字以内で入力してください"));
    }
}

void checkPattern(const Object& node, const std::string& text, const std::string& path, Problems& out) {
    if (!node.has("pattern")) return;
    auto pattern = node.get("pattern").toString();
    if (!std::regex_search(text, std::regex(pattern, std::regex::ECMAScript)))
        out.push_back(problem(path, "形式が正しくありません（" + pattern + " の形で入力してください）"));
}

void checkValue(const Object& node, const Var& value, const std::string& path, Problems& out) {
    auto type = typeOf(node);
    if (!type.empty() && !hasType(value, type)) {
        out.push_back(problem(path, "値の種類が違います：" + type + " で入力してください"));
        return;
    }
    checkEnum(node, value, path, out);
    if (isNumber(value)) checkRange(node, value, path, out);
    if (value.isString()) {
        checkLength(node, value.extract<std::string>(), path, out);
        checkPattern(node, value.extract<std::string>(), path, out);
    }
    if (isObject(value) && (type == "object" || node.has("properties")))
        checkObject(node, *value.extract<Object::Ptr>(), path, out);
}

// ---- What the plugin may see -----------------------------------------------------------------------

bool describesObject(const Object& node) { return typeOf(node) == "object" || node.has("properties"); }

Object::Ptr visibleObject(const Object& node, const Object* given);

// What the plugin sees of one declared property: the given value, else its default, else (for an
// object) whatever defaults its own properties have; nothing when none of these exist.
std::optional<Var> visibleValue(const Object& property, const Object* given, const std::string& name) {
    Var value;
    if (given && given->has(name)) value = given->get(name);
    else if (property.has("default")) value = property.get("default");
    else if (describesObject(property) && visibleObject(property, nullptr)->size() > 0) value = Object::Ptr(new Object);
    else return std::nullopt;
    if (isObject(value) && describesObject(property))
        return Var(visibleObject(property, value.extract<Object::Ptr>().get()));
    return value;
}

// The declared, non-secret properties of `given`, with defaults filled in.
Object::Ptr visibleObject(const Object& node, const Object* given) {
    Object::Ptr out(new Object);
    auto properties = node.getObject("properties");
    if (!properties) return out;
    for (const auto& [name, property] : *properties) {
        if (!isObject(property) || flag(*property.extract<Object::Ptr>(), "secret")) continue;
        if (auto value = visibleValue(*property.extract<Object::Ptr>(), given, name)) out->set(name, *value);
    }
    return out;
}

}  // namespace

std::vector<std::string> validateSettings(const std::string& schemaJson, const std::string& settingsJson) {
    Var schema, settings;
    try {
        schema = parseJson(schemaJson);
    } catch (const std::exception& e) {
        return {problem("schema", e.what())};
    }
    auto problems = checkSchema(schema);
    if (!problems.empty()) return problems;
    try {
        settings = parseJson(settingsJson);
    } catch (const std::exception& e) {
        return {problem("settings", e.what())};
    }
    if (!isObject(settings)) return {problem("settings", "JSONオブジェクトにしてください (must be a JSON object)")};
    checkObject(*schema.extract<Object::Ptr>(), *settings.extract<Object::Ptr>(), "settings", problems);
    return problems;
}

std::string visibleSettings(const std::string& schemaJson, const std::string& settingsJson) {
    auto schema = parseJson(schemaJson);
    auto settings = parseJson(settingsJson);
    if (!isObject(schema)) throw std::runtime_error("schema: JSONオブジェクトではありません (not a JSON object)");
    const Object* given = isObject(settings) ? settings.extract<Object::Ptr>().get() : nullptr;
    return compact(visibleObject(*schema.extract<Object::Ptr>(), given));
}

std::string secretSetting(const std::string& settingsJson, const std::string& name) {
    auto settings = parseJson(settingsJson);
    if (!isObject(settings)) return "";
    const auto& object = *settings.extract<Object::Ptr>();
    if (!object.has(name) || object.get(name).isEmpty()) return "";
    auto value = object.get(name);
    return value.isString() ? value.extract<std::string>() : compact(value);
}

}  // namespace kh::plugins
