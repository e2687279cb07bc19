// The Lua 5.4 sandbox one plugin instance runs in (docs/architecture.md §7): its own lua_State with a memory cap
// (allocator), an instruction budget (count hook) and a wall-clock deadline per call, and an allow-list
// environment built fresh — no io, debug, package, os.execute, bytecode, or require outside the plugin.
// Values cross the boundary as plain data (`Value`), so no C++ object is ever live while Lua may raise.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "plugins/lua_adapter.hpp"  // SandboxLimits, AdapterError

namespace kh::plugins {

// A Lua value copied out of, or to be pushed into, a sandbox: data only (functions are seen as Other).
struct Value {
    enum class Kind { Nil, Null, Boolean, Integer, Number, String, Table, Registry, Other };

    Kind kind = Kind::Nil;
    bool boolean = false;
    long long integer = 0;
    double number = 0;
    std::string text;                                   // String: the bytes; Other: the Lua type name
    const void* registryKey = nullptr;                  // Registry: a value the host keeps in the registry
    std::vector<Value> items;                           // Table: t[1..n]
    std::vector<std::pair<std::string, Value>> fields;  // Table: the string keys
    bool otherKeys = false;  // Table read from Lua: it also had keys that are neither 1..n nor strings

    static Value fromBool(bool b);
    static Value fromInteger(long long i);
    static Value fromNumber(double d);
    static Value fromString(std::string s);
    static Value table();
    static Value null();                     // kakehashi.json.null
    static Value registry(const void* key);  // pushed as registry[key] (lua_rawgetp)

    Value& set(std::string key, Value v);            // add or replace a string-keyed field
    Value& append(Value v);                          // t[#t + 1] = v
    const Value* field(std::string_view key) const;  // nullptr when absent

    bool isNil() const { return kind == Kind::Nil; }
    bool isString() const { return kind == Kind::String; }
    bool isTable() const { return kind == Kind::Table; }
    const char* typeName() const;  // in Lua's words: "nil", "string", "table", "function", …
};

constexpr int kMaxValueDepth = 64;

// Copies the value at `index` without running any metamethod and without raising a Lua error (tables are
// read raw; a read-only proxy is read through to its data). Throws std::runtime_error when nested deeper
// than kMaxValueDepth (or cyclic).
Value readValue(lua_State* L, int index);
// Pushes `v`. May raise a Lua error (memory): call it only in protected mode, with no C++ object live.
void pushValue(lua_State* L, const Value& v);
// A read-only proxy (kakehashi.settings) is an empty table whose metatable holds [1] = the data table and
// [2] = this marker (a light userdata).
const void* readOnlyMarker();
// Pushes `values` in protected mode. Returns how many were pushed, or -1 with the error value pushed
// instead (memory). For host functions: the one way they hand C++-built results to Lua.
int pushValues(lua_State* L, const std::vector<Value>& values);

class Sandbox {
public:
    // Throws AdapterError (PluginFailed) when the state cannot be set up (e.g. a memory cap too small).
    Sandbox(std::string pluginDir, SandboxLimits limits);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    // Sets global `name` of the plugin's environment to the value `open(L)` returns; `open` runs in
    // protected mode with `data` as its only argument (a light userdata). Throws AdapterError.
    void installGlobal(const char* name, lua_CFunction open, void* data);
    // Runs <pluginDir>/<entryFile>; it must return a table, which is kept. Throws AdapterError.
    void loadEntry(const std::string& entryFile);
    bool hasFunction(const char* name);
    // Calls entry[function](args…) under a fresh budget and deadline; returns its first result. Throws
    // AdapterError: PluginTimeout, PluginMemory, the ErrorId named by kakehashi.err, or PluginFailed.
    Value call(const char* function, const std::vector<Value>& args);

    size_t memoryInUse() const { return used_.load(std::memory_order_relaxed); }

    // For host functions running inside a call.
    static Sandbox& of(lua_State* L);
    size_t memoryHeadroom() const;
    void noteMemoryExceeded() { memoryExceeded_ = true; }
    // The call ran out of time or memory, or the host is stopping: plugin code may not catch that (pcall
    // re-raises it).
    bool aborting() const { return timedOut_ || memoryExceeded_ || stopped_; }
    // For host code that loops in C, out of the count hook's reach (the pattern matcher): charges `steps`
    // to the call's instruction budget and looks at the deadline and the host's stop signal, as the hook
    // does. False once the call must end; the caller then returns raiseBudgetSpent(L).
    bool spendSteps(uint64_t steps);
    // Raises the error that ends a call whose budget is spent (the hook's, and spendSteps' callers').
    static int raiseBudgetSpent(lua_State* L);
    // A flag the host sets when it stops: a running call then ends at its next budget check, as
    // PluginRefused ("the gateway is stopping"), so shutdown never waits for a plugin's deadline. The flag
    // must outlive the sandbox.
    void setStopSignal(const std::atomic<bool>* stopping) { stopping_ = stopping; }
    // Push <pluginDir>/<relativePath> (or the module <name with . → />.lua) as a text chunk whose _ENV is
    // the plugin's environment. Return LUA_OK, or a load status with the message pushed, or kUnreadable
    // with nothing pushed. Never raise.
    int pushChunkFile(lua_State* L, const char* relativePath) noexcept;
    int pushModuleChunk(lua_State* L, const char* name) noexcept;
    static constexpr int kUnreadable = -1;

private:
    static void* allocate(void* self, void* block, size_t oldSize, size_t newSize);
    static void countHook(lua_State* L, lua_Debug* ar);
    bool budgetLeft();
    int runProtected(lua_CFunction f, void* job);
    void beginCall();
    [[noreturn]] void fail(int status);
    std::pair<model::ErrorId, std::string> describeFailure(int status);

    std::string pluginDir_;
    SandboxLimits limits_;
    std::atomic<size_t> used_{0};
    lua_State* L_ = nullptr;
    int entryRef_ = LUA_NOREF;
    uint64_t instructionsUsed_ = 0;
    std::chrono::steady_clock::time_point deadline_{};
    bool timedOut_ = false;
    bool memoryExceeded_ = false;
    bool stopped_ = false;
    const std::atomic<bool>* stopping_ = nullptr;
};

// Builds the allow-list environment and makes it the state's globals (host_stdlib.cpp). A lua_CFunction
// run in protected mode by the Sandbox constructor.
int openEnvironment(lua_State* L);

// Registry key of the metatable that marks an error raised by kakehashi.err({name=, message=}).
const void* namedErrorKey();

}  // namespace kh::plugins
