// The sandbox's string.find / match / gmatch / gsub: Lua 5.4's arguments, results and error messages,
// over the bounded engine of lua_pattern.cpp. The engine charges the sandbox every kStepsPerCharge steps;
// when the budget or the deadline is spent the call ends the way the count hook ends it (PluginTimeout,
// which pcall cannot catch).
//
// These functions raise Lua errors (longjmp) from their own frames, so every object in them is plain data:
// the Matcher, luaL_Buffer and pointers into strings that stay on the Lua stack.
#include "plugins/host_pattern.hpp"

#include <cctype>
#include <cstring>
#include <string.h>  // memmem

extern "C" {
#include <lauxlib.h>
}

#include "plugins/lua_pattern.hpp"
#include "plugins/sandbox.hpp"

namespace kh::plugins {
namespace {
using pattern::Capture;
using pattern::Fault;
using pattern::kNoMatch;
using pattern::Matcher;

constexpr char kSpecials[] = "^$*+?.([%-";
constexpr size_t kBytesPerStep = 16;  // a plain search is charged one step per this many bytes scanned

bool chargeSandbox(void* sandbox, uint64_t steps) { return static_cast<Sandbox*>(sandbox)->spendSteps(steps); }

Matcher matcherFor(lua_State* L, const char* subject, size_t subjectLength, const char* p, size_t patternLength) {
    return Matcher(subject, subjectLength, p, patternLength, &chargeSandbox, &Sandbox::of(L));
}

int raiseFault(lua_State* L, const Matcher& m) {
    if (m.fault() == Fault::OutOfBudget) return Sandbox::raiseBudgetSpent(L);
    if (m.fault() == Fault::InvalidCaptureIndex) return luaL_error(L, "invalid capture index %%%d", m.faultCapture());
    return luaL_error(L, "%s", m.faultMessage());
}

// Ends a search: charges the steps still pending, which may end the call.
void settle(lua_State* L, Matcher& m) {
    if (!m.chargePending()) Sandbox::raiseBudgetSpent(L);
}

// Lua's start positions: 1-based, negative from the end, clamped to 1 below; may lie past the end.
size_t startOffset(lua_Integer position, size_t length) {
    if (position > 0) return size_t(position) - 1;
    if (position == 0 || position < -lua_Integer(length)) return 0;
    return length - size_t(-position);
}

bool hasSpecials(const char* p, size_t length) {
    for (size_t i = 0; i < length; ++i)
        if (p[i] != '\0' && std::strchr(kSpecials, p[i]) != nullptr) return true;
    return false;
}

// Capture i (0-based) of a match [start, end): a string or a position; with no captures, %1 (i = 0) is the
// whole match.
void pushCapture(lua_State* L, const Matcher& m, const char* subject, int i, size_t start, size_t end) {
    if (i >= m.captureCount()) {
        if (i != 0) luaL_error(L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(L, subject + start, end - start);
        return;
    }
    const Capture& capture = m.capture(i);
    if (capture.kind == Capture::Kind::Open) luaL_error(L, "unfinished capture");
    if (capture.kind == Capture::Kind::Position) lua_pushinteger(L, lua_Integer(capture.start) + 1);
    else lua_pushlstring(L, subject + capture.start, capture.length);
}

// Every capture, or the whole match when the pattern has none and `wholeWhenNone`. Returns the count.
int pushCaptures(lua_State* L, const Matcher& m, const char* subject, size_t start, size_t end, bool wholeWhenNone) {
    const int count = m.captureCount() == 0 && wholeWhenNone ? 1 : m.captureCount();
    luaL_checkstack(L, count, "too many captures");
    for (int i = 0; i < count; ++i) pushCapture(L, m, subject, i, start, end);
    return count;
}

// find(s, p [, init [, plain]]) without specials: a linear search (glibc's memmem), charged by bytes.
int plainFind(lua_State* L, const char* s, size_t length, size_t from, const char* p, size_t patternLength) {
    const void* found = ::memmem(s + from, length - from, p, patternLength);
    const size_t scanned = (found != nullptr ? static_cast<const char*>(found) - s : length) - from;
    if (!Sandbox::of(L).spendSteps(1 + scanned / kBytesPerStep)) return Sandbox::raiseBudgetSpent(L);
    if (found == nullptr) {
        lua_pushnil(L);
        return 1;
    }
    const size_t at = static_cast<const char*>(found) - s;
    lua_pushinteger(L, lua_Integer(at) + 1);
    lua_pushinteger(L, lua_Integer(at + patternLength));
    return 2;
}

// find: start, end and the captures; match: the captures (or the whole match).
int findOrMatch(lua_State* L, bool find) {
    size_t length = 0, patternLength = 0;
    const char* s = luaL_checklstring(L, 1, &length);
    const char* p = luaL_checklstring(L, 2, &patternLength);
    const size_t from = startOffset(luaL_optinteger(L, 3, 1), length);
    if (from > length) {
        lua_pushnil(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || !hasSpecials(p, patternLength)))
        return plainFind(L, s, length, from, p, patternLength);
    Matcher m = matcherFor(L, s, length, p, patternLength);
    const bool anchored = patternLength > 0 && p[0] == '^';
    for (size_t at = from; at <= length; ++at) {
        const size_t end = m.matchAt(at, anchored ? 1 : 0);
        if (m.fault() != Fault::None) return raiseFault(L, m);
        if (end != kNoMatch) {
            settle(L, m);
            if (!find) return pushCaptures(L, m, s, at, end, true);
            lua_pushinteger(L, lua_Integer(at) + 1);
            lua_pushinteger(L, lua_Integer(end));
            return 2 + pushCaptures(L, m, s, at, end, false);
        }
        if (anchored) break;
    }
    settle(L, m);
    lua_pushnil(L);
    return 1;
}

int find(lua_State* L) { return findOrMatch(L, true); }
int match(lua_State* L) { return findOrMatch(L, false); }

// Where a gmatch iteration goes on: the next offset to try, and the end of the last match (Lua 5.4: an
// empty match right where the previous one ended does not count).
struct GmatchState {
    size_t next;
    size_t lastEnd;
};

// upvalues: subject, pattern, GmatchState
int gmatchStep(lua_State* L) {
    size_t length = 0, patternLength = 0;
    const char* s = lua_tolstring(L, lua_upvalueindex(1), &length);
    const char* p = lua_tolstring(L, lua_upvalueindex(2), &patternLength);
    auto* state = static_cast<GmatchState*>(lua_touserdata(L, lua_upvalueindex(3)));
    Matcher m = matcherFor(L, s, length, p, patternLength);
    for (size_t at = state->next; at <= length; ++at) {
        const size_t end = m.matchAt(at);
        if (m.fault() != Fault::None) return raiseFault(L, m);
        if (end != kNoMatch && end != state->lastEnd) {
            settle(L, m);
            state->next = state->lastEnd = end;
            return pushCaptures(L, m, s, at, end, true);
        }
    }
    settle(L, m);
    state->next = length + 1;
    return 0;
}

// gmatch(s, p [, init]): '^' is an ordinary character here, as in Lua 5.4.
int gmatch(lua_State* L) {
    size_t length = 0;
    luaL_checklstring(L, 1, &length);
    luaL_checkstring(L, 2);
    size_t from = startOffset(luaL_optinteger(L, 3, 1), length);
    if (from > length) from = length + 1;
    lua_settop(L, 2);
    auto* state = static_cast<GmatchState*>(lua_newuserdatauv(L, sizeof(GmatchState), 0));
    *state = GmatchState{from, kNoMatch};
    lua_pushcclosure(L, gmatchStep, 3);
    return 1;
}

// Adds `length` bytes to the result, refusing first what would not fit in the plugin's memory.
void addToResult(lua_State* L, luaL_Buffer* b, const char* bytes, size_t length) {
    Sandbox& sandbox = Sandbox::of(L);
    if (length > sandbox.memoryHeadroom()) {
        sandbox.noteMemoryExceeded();
        luaL_error(L, "gsub: the result is larger than the memory the plugin has left");
    }
    luaL_addlstring(b, bytes, length);
}

void addValueToResult(lua_State* L, luaL_Buffer* b) {
    size_t length = 0;
    lua_tolstring(L, -1, &length);
    if (length > Sandbox::of(L).memoryHeadroom()) {
        Sandbox::of(L).noteMemoryExceeded();
        luaL_error(L, "gsub: the result is larger than the memory the plugin has left");
    }
    luaL_addvalue(b);
}

// A replacement string: %0 the match, %1-%9 a capture, %% a percent sign.
void addTemplate(lua_State* L, luaL_Buffer* b, const Matcher& m, const char* s, size_t start, size_t end) {
    size_t length = 0;
    const char* text = lua_tolstring(L, 3, &length);
    size_t i = 0;
    while (i < length) {
        const void* escape = std::memchr(text + i, '%', length - i);
        if (escape == nullptr) {
            addToResult(L, b, text + i, length - i);
            return;
        }
        const size_t at = static_cast<const char*>(escape) - text;
        addToResult(L, b, text + i, at - i);
        const char code = at + 1 < length ? text[at + 1] : '\0';
        if (code == '%') {
            addToResult(L, b, "%", 1);
        } else if (code == '0') {
            addToResult(L, b, s + start, end - start);
        } else if (std::isdigit(static_cast<unsigned char>(code))) {
            pushCapture(L, m, s, code - '1', start, end);
            luaL_tolstring(L, -1, nullptr);  // a position capture is a number
            lua_remove(L, -2);
            addValueToResult(L, b);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", '%');
        }
        i = at + 2;
    }
}

// Adds the replacement of the match [start, end) to the result. False when the replacement kept the
// match as it was (a function or table gave false or nil).
bool addReplacement(lua_State* L, luaL_Buffer* b, const Matcher& m, const char* s, size_t start, size_t end,
                    int replacementType) {
    if (replacementType == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        const int count = pushCaptures(L, m, s, start, end, true);
        lua_call(L, count, 1);
    } else if (replacementType == LUA_TTABLE) {
        pushCapture(L, m, s, 0, start, end);
        lua_gettable(L, 3);
    } else {
        addTemplate(L, b, m, s, start, end);
        return true;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        addToResult(L, b, s + start, end - start);
        return false;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    addValueToResult(L, b);
    return true;
}

// gsub(s, p, repl [, n]): the result and the number of matches replaced.
int gsub(lua_State* L) {
    size_t length = 0, patternLength = 0;
    const char* s = luaL_checklstring(L, 1, &length);
    const char* p = luaL_checklstring(L, 2, &patternLength);
    const int replacementType = lua_type(L, 3);
    const lua_Integer most = luaL_optinteger(L, 4, lua_Integer(length) + 1);
    luaL_argexpected(L,
                     replacementType == LUA_TNUMBER || replacementType == LUA_TSTRING ||
                         replacementType == LUA_TFUNCTION || replacementType == LUA_TTABLE,
                     3, "string/function/table");
    const bool anchored = patternLength > 0 && p[0] == '^';
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    Matcher m = matcherFor(L, s, length, p, patternLength);
    size_t at = 0, lastEnd = kNoMatch;
    lua_Integer replaced = 0;
    bool changed = false;
    while (replaced < most) {
        const size_t end = m.matchAt(at, anchored ? 1 : 0);
        if (m.fault() != Fault::None) return raiseFault(L, m);
        if (end != kNoMatch && end != lastEnd) {
            ++replaced;
            changed = addReplacement(L, &b, m, s, at, end, replacementType) || changed;
            at = lastEnd = end;
        } else if (at < length) {
            addToResult(L, &b, s + at, 1);
            ++at;
        } else {
            break;
        }
        if (anchored) break;
    }
    settle(L, m);
    if (changed) {
        addToResult(L, &b, s + at, length - at);
        luaL_pushresult(&b);
    } else {
        lua_pushvalue(L, 1);  // nothing replaced: the subject itself
    }
    lua_pushinteger(L, replaced);
    return 2;
}
}  // namespace

void installPatternFunctions(lua_State* L, int stringTable) {
    const luaL_Reg functions[] = {{"find", find}, {"match", match}, {"gmatch", gmatch}, {"gsub", gsub}};
    for (const luaL_Reg& f : functions) {
        lua_pushcfunction(L, f.func);
        lua_setfield(L, stringTable, f.name);
    }
}

}  // namespace kh::plugins
