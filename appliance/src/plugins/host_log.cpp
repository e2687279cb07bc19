// kakehashi.log.info/warn/error(message, fields?): one "plugin.log" event a call, holding only what the
// plugin's signed manifest declared. Free text cannot be made safe to log (a birth date, a name or a
// number has too many spellings to redact), so the message must be one of the manifest's logMessages
// and each field one of its logFields, with a value that fits the field's kind (manifest.hpp LogField):
// counts, durations, booleans and declared codes — nothing a plugin computes from patient data as text.
// What does not fit is dropped and counted ("dropped_fields"); an undeclared message is written as
// "undeclared".
#include <algorithm>
#include <cmath>
#include <optional>

#include "base/log.hpp"
#include "plugins/host_library.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace kh::plugins {
namespace {
constexpr long long kMaxCount = 10'000;
constexpr double kMaxDurationMs = 60'000;
const char kUndeclared[] = "undeclared";

const char* const kKindNames[] = {"count", "duration_ms", "bool", "code"};  // in LogField::Kind's order

bool listed(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> textsOf(const Value* list) {
    std::vector<std::string> texts;
    if (list != nullptr)
        for (const Value& item : list->items) texts.push_back(item.text);
    return texts;
}

Value listOf(const std::vector<std::string>& texts) {
    Value list = Value::table();
    for (const std::string& text : texts) list.append(Value::fromString(text));
    return list;
}

// What the manifest declared, kept in the sandbox as plain data (an upvalue of the log functions, which
// plugin code cannot reach): {messages = {…}, fields = {name = {kind = "count", codes = {…}}, …}}.
struct Declarations {
    std::vector<std::string> messages;
    std::vector<LogField> fields;
};

}  // namespace

namespace host {
Value logDeclarations(const HostContext& context) {
    Value fields = Value::table();
    for (const LogField& f : context.logFields)
        fields.set(f.name, Value::table()
                               .set("kind", Value::fromString(kKindNames[int(f.kind)]))
                               .set("codes", listOf(f.codes)));
    return Value::table().set("messages", listOf(context.logMessages)).set("fields", std::move(fields));
}
}  // namespace host

namespace {

Declarations declarationsOf(const Value& v) {
    Declarations declared{textsOf(v.field("messages")), {}};
    if (const Value* fields = v.field("fields"))
        for (const auto& [name, spec] : fields->fields) {
            const Value* kind = spec.field("kind");
            LogField field{name, LogField::Kind::Count, textsOf(spec.field("codes"))};
            for (int k = 0; k < 4; ++k)
                if (kind != nullptr && kind->text == kKindNames[k]) field.kind = LogField::Kind(k);
            declared.fields.push_back(std::move(field));
        }
    return declared;
}

// The text of `value` as field `field` logs it, or nothing when it does not fit the field's kind.
std::optional<std::string> fitted(const LogField& field, const Value& value) {
    switch (field.kind) {
    case LogField::Kind::Count:
        if (value.kind == Value::Kind::Integer && value.integer >= 0 && value.integer <= kMaxCount)
            return std::to_string(value.integer);
        return std::nullopt;
    case LogField::Kind::DurationMs: {
        const double ms = value.kind == Value::Kind::Integer  ? double(value.integer)
                          : value.kind == Value::Kind::Number ? value.number
                                                              : -1;
        if (!(ms >= 0 && ms <= kMaxDurationMs)) return std::nullopt;  // NaN fails too
        return std::to_string(std::llround(ms));
    }
    case LogField::Kind::Bool:
        if (value.kind == Value::Kind::Boolean) return value.boolean ? "true" : "false";
        return std::nullopt;
    case LogField::Kind::Code:
        if (value.isString() && listed(field.codes, value.text)) return value.text;
        return std::nullopt;
    }
    return std::nullopt;
}

struct LogLine {
    std::string message;
    std::string fields;  // "name=value name=value", by name
    size_t dropped = 0;
};

LogLine lineOf(const Declarations& declared, std::string_view message, const Value& given) {
    LogLine line;
    line.message = listed(declared.messages, message) ? std::string(message) : kUndeclared;
    line.dropped = given.items.size() + (given.otherKeys ? 1 : 0);  // keys that are not names
    std::vector<std::string> parts;
    for (const auto& [name, value] : given.fields) {
        // A lambda may not capture a structured binding before C++20 (clang refuses it): capture a reference.
        const std::string& key = name;
        auto field = std::find_if(declared.fields.begin(), declared.fields.end(),
                                  [&key](const LogField& f) { return f.name == key; });
        std::optional<std::string> text = field == declared.fields.end() ? std::nullopt : fitted(*field, value);
        if (text) parts.push_back(name + "=" + *text);
        else ++line.dropped;
    }
    std::sort(parts.begin(), parts.end());
    for (const std::string& p : parts) line.fields += (line.fields.empty() ? "" : " ") + p;
    return line;
}

// upvalues: plugin id, level, declarations
int logAt(lua_State* L) {
    luaL_checktype(L, 1, LUA_TSTRING);
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    return host::guarded(L, [L] {
        size_t n = 0;
        const char* message = lua_tolstring(L, 1, &n);
        const auto level = static_cast<log::Level>(lua_tointeger(L, lua_upvalueindex(2)));
        const Declarations declared = declarationsOf(readValue(L, lua_upvalueindex(3)));
        const std::string plugin = lua_tostring(L, lua_upvalueindex(1));
        const Value given = lua_istable(L, 2) ? readValue(L, 2) : Value::table();
        const LogLine line = lineOf(declared, std::string_view(message, n), given);
        if (line.dropped == 0)
            log::write(level, "plugin.log", {{"plugin", plugin}, {"message", line.message}, {"fields", line.fields}});
        else
            log::write(level, "plugin.log",
                       {{"plugin", plugin},
                        {"message", line.message},
                        {"fields", line.fields},
                        {"dropped_fields", std::to_string(line.dropped)}});
        return 0;
    });
}

void setLogFunction(lua_State* L, const HostContext& context, const Value& declarations, const char* name,
                    log::Level level) {
    lua_pushlstring(L, context.pluginId.data(), context.pluginId.size());
    lua_pushinteger(L, lua_Integer(level));
    pushValue(L, declarations);
    lua_pushcclosure(L, logAt, 3);
    lua_setfield(L, -2, name);
}
}  // namespace

namespace host {
void openLog(lua_State* L, const HostContext& context, const Value& declarations) {
    lua_createtable(L, 0, 3);
    setLogFunction(L, context, declarations, "info", log::Level::Info);
    setLogFunction(L, context, declarations, "warn", log::Level::Warn);
    setLogFunction(L, context, declarations, "error", log::Level::Error);
}
}  // namespace host
}  // namespace kh::plugins
