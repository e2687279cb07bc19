// string.find / match / gmatch / gsub for plugins, on the bounded pattern engine (lua_pattern.hpp): Lua
// 5.4's behaviour, with every matching step charged to the sandbox's budget, so a pattern cannot run past
// the call's deadline or hold a core after it.
#pragma once

extern "C" {
#include <lua.h>
}

namespace kh::plugins {

// Sets find, match, gmatch and gsub in the table at `stringTable`. The functions need a Sandbox (they
// charge it through Sandbox::of). Plain data only: may run unprotected.
void installPatternFunctions(lua_State* L, int stringTable);

}  // namespace kh::plugins
