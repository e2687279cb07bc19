// Assembles the `kakehashi` table in a plugin's sandbox: the sub-libraries of the host_*.cpp files, the
// read-only settings (secrets were removed before they got here) and kakehashi.err.
#include "plugins/host_library.hpp"

extern "C" {
#include <lauxlib.h>
}

#include "model/errors.hpp"

namespace kh::plugins {
namespace {
const char kSettings = 0;  // registry key of the read-only settings table

int refuseWrite(lua_State* L) { return luaL_error(L, "kakehashi.settings is read-only"); }

int proxyLength(lua_State* L) {
    lua_pushinteger(L, lua_Integer(lua_rawlen(L, lua_upvalueindex(1))));
    return 1;
}

// next() over the data table (the plugin's own `next` may have been replaced).
int dataNext(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    if (lua_next(L, 1) != 0) return 2;
    lua_pushnil(L);
    return 1;
}

int proxyPairs(lua_State* L) {
    lua_pushcfunction(L, dataNext);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushnil(L);
    return 3;
}

void pushReadOnly(lua_State* L, const Value& v);

// The data table of a read-only value, nested tables made read-only in turn.
void pushReadOnlyData(lua_State* L, const Value& t) {
    luaL_checkstack(L, 4, "settings nested too deeply");
    lua_createtable(L, int(t.items.size()), int(t.fields.size()));
    lua_Integer i = 0;
    for (const Value& item : t.items) {
        pushReadOnly(L, item);
        lua_rawseti(L, -2, ++i);
    }
    for (const auto& [key, value] : t.fields) {
        lua_pushlstring(L, key.data(), key.size());
        pushReadOnly(L, value);
        lua_rawset(L, -3);
    }
}

// An empty proxy whose metatable reads from the data table and refuses writes; getmetatable shows a
// string only, so the data table cannot be reached. readValue reads through it (see sandbox.hpp).
void pushReadOnly(lua_State* L, const Value& v) {
    if (!v.isTable()) return pushValue(L, v);
    pushReadOnlyData(L, v);
    lua_newtable(L);
    lua_createtable(L, 2, 5);
    lua_pushvalue(L, -3);
    lua_rawseti(L, -2, 1);
    lua_pushlightuserdata(L, const_cast<void*>(readOnlyMarker()));
    lua_rawseti(L, -2, 2);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, refuseWrite);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, -3);
    lua_pushcclosure(L, proxyLength, 1);
    lua_setfield(L, -2, "__len");
    lua_pushvalue(L, -3);
    lua_pushcclosure(L, proxyPairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

int describeNamedError(lua_State* L) {
    lua_getfield(L, 1, "name");
    lua_getfield(L, 1, "message");
    lua_pushfstring(L, "%s: %s", lua_tostring(L, -2), lua_tostring(L, -1));
    return 1;
}

// kakehashi.err(name, message): raises {name=, message=}, marked so the host maps `name` to an ErrorId.
int raiseNamedError(lua_State* L) {
    const char* name = luaL_checkstring(L, 1);
    const char* message = luaL_optstring(L, 2, "");
    lua_createtable(L, 0, 2);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, message);
    lua_setfield(L, -2, "message");
    lua_rawgetp(L, LUA_REGISTRYINDEX, namedErrorKey());
    lua_setmetatable(L, -2);
    return lua_error(L);
}

void openNamedErrors(lua_State* L) {
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, describeNamedError);
    lua_setfield(L, -2, "__tostring");
    lua_rawsetp(L, LUA_REGISTRYINDEX, namedErrorKey());
    lua_pushcfunction(L, raiseNamedError);
}

struct Install {
    const HostContext* context;
    const Value* settings;
    const Value* logDeclarations;
};

struct Part {
    const char* name;
    void (*open)(lua_State*);
};

const Part kParts[] = {{"json", host::openJson},     {"csv", host::openCsv},   {"sjis", host::openSjis},
                       {"fixed", host::openFixed},   {"date", host::openDate}, {"check", host::openCheck},
                       {"record", host::openRecord}, {"err", openNamedErrors}};

int openKakehashi(lua_State* L) {
    const auto* install = static_cast<const Install*>(lua_touserdata(L, 1));
    lua_newtable(L);
    host::openLog(L, *install->context, *install->logDeclarations);
    lua_setfield(L, -2, "log");
    for (const Part& part : kParts) {
        part.open(L);
        lua_setfield(L, -2, part.name);
    }
    pushReadOnly(L, *install->settings);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &kSettings);
    lua_setfield(L, -2, "settings");
    return 1;
}

int pushMessage(lua_State* L) {
    lua_pushstring(L, static_cast<const char*>(lua_touserdata(L, 1)));
    return 1;
}
}  // namespace

void installHostLibrary(Sandbox& sandbox, const HostContext& context) {
    Value settings;
    try {
        settings = parseJson(context.visibleSettingsJson.empty() ? "{}" : context.visibleSettingsJson);
    } catch (const std::exception& e) {
        throw AdapterError(model::ErrorId::PluginFailed, std::string("the plugin's settings: ") + e.what());
    }
    if (!settings.isTable() || !settings.items.empty())
        throw AdapterError(model::ErrorId::PluginFailed, "the plugin's settings must be a JSON object");
    const Value logDeclarations = host::logDeclarations(context);
    Install install{&context, &settings, &logDeclarations};
    sandbox.installGlobal("kakehashi", &openKakehashi, &install);
}

Value hostSettings() { return Value::registry(&kSettings); }

namespace host {

int pushError(lua_State* L, const char* message) noexcept {
    if (!lua_checkstack(L, 2)) return -1;
    lua_pushcfunction(L, pushMessage);
    lua_pushlightuserdata(L, const_cast<char*>(message));
    if (lua_pcall(L, 1, 1, 0) == LUA_ERRMEM) Sandbox::of(L).noteMemoryExceeded();
    return -1;
}

int results(lua_State* L, std::vector<Value> values) { return pushValues(L, values); }

int nilAnd(lua_State* L, std::string message) {
    std::vector<Value> values(2);
    values[1] = Value::fromString(std::move(message));
    return pushValues(L, values);
}

}  // namespace host
}  // namespace kh::plugins
