// kakehashi.log.info/warn/error(message, fields?): one "plugin.log" event a call, with the plugin's text
// redacted so that insured numbers, birth dates and Japanese names never reach the logs.
#include <algorithm>

#include "base/log.hpp"
#include "plugins/host_library.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace kh::plugins {
namespace {
constexpr size_t kMaxLogChars = 200;
const char kHiddenText[] = "\xEF\xBC\x8A";  // ＊ (U+FF0A) for each run of non-ASCII bytes

bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }

size_t runEnd(std::string_view text, size_t i, bool (*inRun)(unsigned char)) {
    while (i < text.size() && inRun(static_cast<unsigned char>(text[i]))) ++i;
    return i;
}

bool isNonAscii(unsigned char c) { return c >= 0x80; }

std::string renderScalar(const Value& v) {
    switch (v.kind) {
    case Value::Kind::String: return v.text;
    case Value::Kind::Integer: return std::to_string(v.integer);
    case Value::Kind::Number: return std::to_string(v.number);
    case Value::Kind::Boolean: return v.boolean ? "true" : "false";
    default: return std::string("<") + v.typeName() + ">";
    }
}

// "key=value key=value", sorted by key, before redaction.
std::string renderFields(const Value& fields) {
    std::vector<std::string> parts;
    for (const auto& [key, value] : fields.fields) parts.push_back(key + "=" + renderScalar(value));
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
    return out;
}

// upvalues: plugin id, level
int logAt(lua_State* L) {
    luaL_checkstring(L, 1);
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    return host::guarded(L, [L] {
        size_t n = 0;
        const char* text = lua_tolstring(L, 1, &n);  // a string now (luaL_checkstring converted numbers)
        const auto level = static_cast<log::Level>(lua_tointeger(L, lua_upvalueindex(2)));
        const std::string plugin = lua_tostring(L, lua_upvalueindex(1));
        const std::string message = redactForLog(std::string_view(text, n));
        if (lua_istable(L, 2))
            log::write(
                level, "plugin.log",
                {{"plugin", plugin}, {"message", message}, {"fields", redactForLog(renderFields(readValue(L, 2)))}});
        else
            log::write(level, "plugin.log", {{"plugin", plugin}, {"message", message}});
        return 0;
    });
}

void setLogFunction(lua_State* L, const HostContext& context, const char* name, log::Level level) {
    lua_pushlstring(L, context.pluginId.data(), context.pluginId.size());
    lua_pushinteger(L, lua_Integer(level));
    lua_pushcclosure(L, logAt, 2);
    lua_setfield(L, -2, name);
}
}  // namespace

std::string redactForLog(std::string_view text) {
    std::string out;
    size_t chars = 0;
    for (size_t i = 0; i < text.size() && chars < kMaxLogChars;) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (isNonAscii(c)) {
            i = runEnd(text, i, isNonAscii);
            out += kHiddenText;
            ++chars;
        } else if (isDigit(c)) {
            const size_t end = runEnd(text, i, isDigit);
            const size_t length = end - i;
            out += length >= 4 ? std::string("#") : std::string(text.substr(i, length));
            chars += length >= 4 ? 1 : length;
            i = end;
        } else {
            out += c < 0x20 || c == 0x7F ? ' ' : char(c);
            ++chars;
            ++i;
        }
    }
    if (chars > kMaxLogChars) out.resize(out.size() - (chars - kMaxLogChars));  // only a short digit run overshoots
    return out;
}

namespace host {
void openLog(lua_State* L, const HostContext& context) {
    lua_createtable(L, 0, 3);
    setLogFunction(L, context, "info", log::Level::Info);
    setLogFunction(L, context, "warn", log::Level::Warn);
    setLogFunction(L, context, "error", log::Level::Error);
}
}  // namespace host
}  // namespace kh::plugins
