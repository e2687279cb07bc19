// The standard Lua a plugin gets: an allow-list environment built fresh (the real globals are never
// reachable), with guarded versions of the functions that could escape the sandbox or its limits —
// pcall/xpcall (cannot swallow a timeout or a memory error), load (text chunks only), require (the
// plugin's own modules only), setmetatable (no __gc), collectgarbage ("count" only), string.rep (capped),
// and the string pattern functions (bounded: host_pattern.cpp).
#include <algorithm>
#include <cstring>

#include "plugins/host_pattern.hpp"
#include "plugins/sandbox.hpp"

extern "C" {
#include <lauxlib.h>
#include <lualib.h>
}

namespace kh::plugins {
namespace {
constexpr size_t kMaxRepBytes = 8u * 1024 * 1024;
const char kModules = 0;  // registry key of the cache of required modules

const char* const kBaseFunctions[] = {"assert",   "error",        "ipairs",   "next",     "pairs",  "select",
                                      "tonumber", "tostring",     "type",     "rawequal", "rawget", "rawlen",
                                      "rawset",   "getmetatable", "_VERSION", nullptr};
const char* const kOsFunctions[] = {"time", "date", "clock", "difftime", nullptr};
const char* const kNoStringFunctions[] = {"dump", "rep", nullptr};
const char* const kNoMathFunctions[] = {"randomseed", nullptr};
const char* const kNothing[] = {nullptr};

bool listed(const char* const* names, const char* name) {
    for (; *names != nullptr; ++names)
        if (std::strcmp(*names, name) == 0) return true;
    return false;
}

// Copies the string-keyed fields of the table at `from` into the table at `to`, keeping (keep = true)
// or leaving out (keep = false) the listed names.
void copyFields(lua_State* L, int from, int to, const char* const* names, bool keep) {
    lua_pushnil(L);
    while (lua_next(L, from) != 0) {
        if (lua_type(L, -2) == LUA_TSTRING && listed(names, lua_tostring(L, -2)) == keep) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, to);
        } else {
            lua_pop(L, 1);
        }
    }
}

// env[name] = a copy of the library `open` makes; the copy is left on the stack.
void copyLibrary(lua_State* L, int env, const char* name, lua_CFunction open, const char* const* names, bool keep) {
    luaL_requiref(L, name, open, 0);
    lua_newtable(L);
    copyFields(L, lua_absindex(L, -2), lua_absindex(L, -1), names, keep);
    lua_remove(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, env, name);
}

// pcall and xpcall: like the standard ones, except that a timeout or a memory error is re-raised.
int finishProtectedCall(lua_State* L, int status, lua_KContext firstResult) {
    if (status == LUA_OK || status == LUA_YIELD) return lua_gettop(L) - int(firstResult) + 1;
    Sandbox& sandbox = Sandbox::of(L);
    if (status == LUA_ERRMEM) sandbox.noteMemoryExceeded();
    if (sandbox.aborting()) return lua_error(L);
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
}

int sandboxPcall(lua_State* L) {
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);  // true, f, args…
    const int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 1, finishProtectedCall);
    return finishProtectedCall(L, status, 1);
}

int sandboxXpcall(lua_State* L) {
    const int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);  // f, handler, true, f, args…
    const int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 3, finishProtectedCall);
    return finishProtectedCall(L, status, 3);
}

// load(chunk [, name [, mode [, env]]]): string chunks, always text mode, env defaulting to the plugin's.
int sandboxLoad(lua_State* L) {
    if (lua_type(L, 1) != LUA_TSTRING) return luaL_error(L, "load: only string chunks are allowed");
    size_t size = 0;
    const char* chunk = lua_tolstring(L, 1, &size);
    const char* name = luaL_optstring(L, 2, "=(load)");
    if (size >= 4 && std::memcmp(chunk, LUA_SIGNATURE, 4) == 0) {
        lua_pushnil(L);
        lua_pushliteral(L, "load: binary chunks are not allowed");
        return 2;
    }
    const int status = luaL_loadbufferx(L, chunk, size, name, "t");
    if (status == LUA_ERRMEM) Sandbox::of(L).noteMemoryExceeded();
    if (status != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (!lua_isnone(L, 4)) {
        lua_pushvalue(L, 4);
        if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
    }
    return 1;
}

// ^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$
bool isModuleName(const char* s) {
    bool segmentStart = true;
    for (; *s != '\0'; ++s) {
        const char c = *s;
        if (segmentStart) {
            if (c < 'a' || c > 'z') return false;
            segmentStart = false;
        } else if (c == '.') {
            segmentStart = true;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return !segmentStart;
}

int sandboxRequire(lua_State* L) {
    const char* name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    if (!isModuleName(name)) return luaL_error(L, "module not allowed: %s", name);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &kModules);
    if (lua_getfield(L, 2, name) != LUA_TNIL) return 1;  // the cache has no metatable
    lua_pop(L, 1);
    const int status = Sandbox::of(L).pushModuleChunk(L, name);
    if (status == Sandbox::kUnreadable)
        return luaL_error(L, "module not allowed: %s (a plugin can require only its own modules)", name);
    if (status == LUA_ERRMEM) Sandbox::of(L).noteMemoryExceeded();
    if (status != LUA_OK) return lua_error(L);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, 2, name);
    return 1;
}

// Finalizers run with hooks off, so a __gc loop could not be stopped: metatables with __gc are refused.
int sandboxSetmetatable(lua_State* L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) return luaL_error(L, "setmetatable: __gc is not allowed in plugins");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

int sandboxCollectgarbage(lua_State* L) {
    const char* option = luaL_optstring(L, 1, "count");
    if (std::strcmp(option, "count") != 0)
        return luaL_error(L, "collectgarbage: only \"count\" is available to plugins");
    lua_pushnumber(L, lua_gc(L, LUA_GCCOUNT, 0) + lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
    return 1;
}

// string.rep refuses a result larger than 8 MiB or the memory the plugin has left, before allocating it.
int guardedRep(lua_State* L) {
    size_t length = 0, separator = 0;
    luaL_checklstring(L, 1, &length);
    const lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &separator);
    if (n > 0) {
        const double bytes = double(length) * double(n) + double(separator) * double(n - 1);
        Sandbox& sandbox = Sandbox::of(L);
        if (bytes > double(std::min(kMaxRepBytes, sandbox.memoryHeadroom()))) {
            sandbox.noteMemoryExceeded();
            return luaL_error(L, "string.rep: a result of %f bytes is more than a plugin may allocate", bytes);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

void setClosure(lua_State* L, int table, const char* name, lua_CFunction f, int originalTable) {
    lua_getfield(L, originalTable, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, table, name);
}

void setFunction(lua_State* L, int table, const char* name, lua_CFunction f) {
    lua_pushcfunction(L, f);
    lua_setfield(L, table, name);
}

void openBase(lua_State* L, int env) {
    luaL_requiref(L, "_G", luaopen_base, 0);  // the real globals: only copied from, never exposed
    const int real = lua_gettop(L);
    copyFields(L, real, env, kBaseFunctions, true);
    setClosure(L, env, "setmetatable", sandboxSetmetatable, real);
    setFunction(L, env, "pcall", sandboxPcall);
    setFunction(L, env, "xpcall", sandboxXpcall);
    setFunction(L, env, "load", sandboxLoad);
    setFunction(L, env, "require", sandboxRequire);
    setFunction(L, env, "collectgarbage", sandboxCollectgarbage);
    lua_pushvalue(L, env);
    lua_setfield(L, env, "_G");
    lua_settop(L, real - 1);
}

// The guarded string library is also what methods on strings ("x"):rep(n) find. The pattern functions
// are the bounded ones of host_pattern.cpp; they are set in the registry's string table too (never
// reachable by plugins), so that argument errors name them "string.find" as Lua's would.
void openString(lua_State* L, int env) {
    luaL_requiref(L, "string", luaopen_string, 0);
    const int real = lua_gettop(L);
    installPatternFunctions(L, real);
    copyLibrary(L, env, "string", luaopen_string, kNoStringFunctions, false);
    setClosure(L, lua_gettop(L), "rep", guardedRep, real);
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_settop(L, real - 1);
}

void openLibraries(lua_State* L, int env) {
    openString(L, env);
    copyLibrary(L, env, "table", luaopen_table, kNothing, false);
    copyLibrary(L, env, "math", luaopen_math, kNoMathFunctions, false);
    copyLibrary(L, env, "utf8", luaopen_utf8, kNothing, false);
    copyLibrary(L, env, "coroutine", luaopen_coroutine, kNothing, false);
    copyLibrary(L, env, "os", luaopen_os, kOsFunctions, true);
    lua_settop(L, env);
}
}  // namespace

int openEnvironment(lua_State* L) {
    lua_newtable(L);
    const int env = lua_gettop(L);
    openBase(L, env);
    openLibraries(L, env);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &kModules);
    lua_pushvalue(L, env);
    lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);  // chunks loaded from now on see only `env`
    return 0;
}

}  // namespace kh::plugins
