// The values the host and a plugin exchange (sandbox.hpp `Value`): copied out of Lua without raising, and
// pushed into Lua only in protected mode, so a Lua error never unwinds through a live C++ object.
#include <stdexcept>

#include "plugins/sandbox.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace kh::plugins {
namespace {
const char kJsonNull = 0;  // its address is kakehashi.json.null, a light userdata
const char kReadOnly = 0;

// Replaces a read-only proxy at `index` by its data table on the stack; returns the index to read.
int throughReadOnlyProxy(lua_State* L, int index) {
    if (!lua_getmetatable(L, index)) return index;
    lua_rawgeti(L, -1, 2);
    const bool proxy = lua_touserdata(L, -1) == &kReadOnly;
    lua_pop(L, 1);
    if (!proxy) {
        lua_pop(L, 1);
        return index;
    }
    lua_rawgeti(L, -1, 1);
    lua_remove(L, -2);  // the metatable
    return lua_gettop(L);
}

Value readAt(lua_State* L, int index, int depth);

void readSequence(lua_State* L, int index, int depth, Value& t) {
    const lua_Unsigned n = lua_rawlen(L, index);
    t.items.reserve(n);
    for (lua_Unsigned i = 1; i <= n; ++i) {
        lua_rawgeti(L, index, lua_Integer(i));
        t.items.push_back(readAt(L, -1, depth + 1));
        lua_pop(L, 1);
    }
}

bool inSequence(lua_State* L, int keyIndex, size_t n) {
    if (!lua_isinteger(L, keyIndex)) return false;
    const lua_Integer k = lua_tointeger(L, keyIndex);
    return k >= 1 && lua_Unsigned(k) <= n;
}

void readKeys(lua_State* L, int index, int depth, Value& t) {
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {  // raw traversal; keys are never converted in place
        if (lua_type(L, -2) == LUA_TSTRING) {
            size_t n = 0;
            const char* key = lua_tolstring(L, -2, &n);
            t.fields.emplace_back(std::string(key, n), readAt(L, -1, depth + 1));
        } else if (!inSequence(L, -2, t.items.size())) {
            t.otherKeys = true;
        }
        lua_pop(L, 1);
    }
}

Value readTable(lua_State* L, int index, int depth) {
    if (depth >= kMaxValueDepth) throw std::runtime_error("value nested deeper than 64 levels");
    if (!lua_checkstack(L, 6)) throw std::runtime_error("Lua stack exhausted");
    const int top = lua_gettop(L);
    index = throughReadOnlyProxy(L, index);
    Value t = Value::table();
    readSequence(L, index, depth, t);
    readKeys(L, index, depth, t);
    lua_settop(L, top);
    return t;
}

Value readAt(lua_State* L, int index, int depth) {
    index = lua_absindex(L, index);
    switch (lua_type(L, index)) {
    case LUA_TNIL: return {};
    case LUA_TBOOLEAN: return Value::fromBool(lua_toboolean(L, index) != 0);
    case LUA_TNUMBER:
        return lua_isinteger(L, index) ? Value::fromInteger(lua_tointeger(L, index))
                                       : Value::fromNumber(lua_tonumber(L, index));
    case LUA_TSTRING: {
        size_t n = 0;
        const char* s = lua_tolstring(L, index, &n);  // a string already: no conversion, no allocation
        return Value::fromString(std::string(s, n));
    }
    case LUA_TTABLE: return readTable(L, index, depth);
    default: break;
    }
    if (lua_type(L, index) == LUA_TLIGHTUSERDATA && lua_touserdata(L, index) == &kJsonNull) return Value::null();
    Value other;
    other.kind = Value::Kind::Other;
    other.text = lua_typename(L, lua_type(L, index));
    return other;
}

void pushTable(lua_State* L, const Value& t) {
    lua_createtable(L, int(t.items.size()), int(t.fields.size()));
    lua_Integer i = 0;
    for (const Value& item : t.items) {
        pushValue(L, item);
        lua_rawseti(L, -2, ++i);
    }
    for (const auto& [key, value] : t.fields) {
        lua_pushlstring(L, key.data(), key.size());
        pushValue(L, value);
        lua_rawset(L, -3);
    }
}

int pushAll(lua_State* L) {
    const auto* values = static_cast<const std::vector<Value>*>(lua_touserdata(L, 1));
    luaL_checkstack(L, int(values->size()) + 1, "too many values");
    for (const Value& v : *values) pushValue(L, v);
    return int(values->size());
}
}  // namespace

Value Value::fromBool(bool b) {
    Value v;
    v.kind = Kind::Boolean;
    v.boolean = b;
    return v;
}

Value Value::fromInteger(long long i) {
    Value v;
    v.kind = Kind::Integer;
    v.integer = i;
    return v;
}

Value Value::fromNumber(double d) {
    Value v;
    v.kind = Kind::Number;
    v.number = d;
    return v;
}

Value Value::fromString(std::string s) {
    Value v;
    v.kind = Kind::String;
    v.text = std::move(s);
    return v;
}

Value Value::table() {
    Value v;
    v.kind = Kind::Table;
    return v;
}

Value Value::null() {
    Value v;
    v.kind = Kind::Null;
    return v;
}

Value Value::registry(const void* key) {
    Value v;
    v.kind = Kind::Registry;
    v.registryKey = key;
    return v;
}

Value& Value::set(std::string key, Value v) {
    for (auto& [k, existing] : fields)
        if (k == key) {
            existing = std::move(v);
            return *this;
        }
    fields.emplace_back(std::move(key), std::move(v));
    return *this;
}

Value& Value::append(Value v) {
    items.push_back(std::move(v));
    return *this;
}

const Value* Value::field(std::string_view key) const {
    for (auto it = fields.rbegin(); it != fields.rend(); ++it)  // the last of repeated keys, as Lua keeps it
        if (it->first == key) return &it->second;
    return nullptr;
}

const char* Value::typeName() const {
    switch (kind) {
    case Kind::Nil: return "nil";
    case Kind::Null: return "null";
    case Kind::Boolean: return "boolean";
    case Kind::Integer:
    case Kind::Number: return "number";
    case Kind::String: return "string";
    case Kind::Table: return "table";
    case Kind::Registry: return "host value";
    default: return text.c_str();
    }
}

Value readValue(lua_State* L, int index) { return readAt(L, index, 0); }

const void* readOnlyMarker() { return &kReadOnly; }

void pushValue(lua_State* L, const Value& v) {
    luaL_checkstack(L, 3, "value nested too deeply");
    switch (v.kind) {
    case Value::Kind::Null: lua_pushlightuserdata(L, const_cast<char*>(&kJsonNull)); break;
    case Value::Kind::Boolean: lua_pushboolean(L, v.boolean); break;
    case Value::Kind::Integer: lua_pushinteger(L, lua_Integer(v.integer)); break;
    case Value::Kind::Number: lua_pushnumber(L, v.number); break;
    case Value::Kind::String: lua_pushlstring(L, v.text.data(), v.text.size()); break;
    case Value::Kind::Table: pushTable(L, v); break;
    case Value::Kind::Registry: lua_rawgetp(L, LUA_REGISTRYINDEX, v.registryKey); break;
    default: lua_pushnil(L); break;
    }
}

int pushValues(lua_State* L, const std::vector<Value>& values) {
    const int before = lua_gettop(L);
    lua_pushcfunction(L, &pushAll);
    lua_pushlightuserdata(L, const_cast<std::vector<Value>*>(&values));
    const int status = lua_pcall(L, 1, LUA_MULTRET, 0);
    if (status == LUA_OK) return lua_gettop(L) - before;
    if (status == LUA_ERRMEM) Sandbox::of(L).noteMemoryExceeded();
    return -1;
}

}  // namespace kh::plugins
