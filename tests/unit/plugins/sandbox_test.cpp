// Tests of the Lua sandbox against the hostile plugins in tests/fixtures/plugins/hostile: each attack is
// contained with the right ErrorId, the process lives on, and the sandbox stays usable afterwards.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "plugins/host_library.hpp"
#include "plugins/sandbox.hpp"

using namespace kh::plugins;
using kh::model::ErrorId;
using namespace std::chrono_literals;

namespace {
std::string hostileDir(const std::string& name) {
    return std::string(KAKEHASHI_FIXTURES) + "/plugins/hostile/" + name;
}

SandboxLimits testLimits() {
    SandboxLimits limits;
    limits.memoryBytes = 4u * 1024 * 1024;
    limits.deadline = 200ms;
    return limits;
}

// For the memory attacks the cap, not the clock, must stop them: on a busy machine filling 4 MiB can take
// longer than testLimits()' 200 ms, which would end them as a timeout instead.
SandboxLimits memoryLimits() {
    SandboxLimits limits = testLimits();
    limits.deadline = 30s;
    return limits;
}

std::unique_ptr<Sandbox> hostile(const std::string& name, SandboxLimits limits = testLimits(),
                                 const std::string& settingsJson = "{}") {
    auto sandbox = std::make_unique<Sandbox>(hostileDir(name), limits);
    HostContext context;
    context.pluginId = "hostile-" + name;
    context.pluginVersion = "0.0.1";
    context.visibleSettingsJson = settingsJson;
    installHostLibrary(*sandbox, context);
    sandbox->loadEntry("adapter.lua");
    return sandbox;
}

struct Failure {
    ErrorId id = ErrorId::Internal;
    std::string detail;
};

Failure failureOf(Sandbox& sandbox, const char* function) {
    try {
        sandbox.call(function, {});
    } catch (const AdapterError& e) {
        return {e.id(), e.what()};
    }
    FAIL(std::string(function) + " did not fail");
    return {};
}

std::string textOf(const Value* v) { return v != nullptr && v->isString() ? v->text : "<not a string>"; }
}  // namespace

TEST_CASE("an endless loop times out near the deadline and the sandbox stays usable", "[plugins][sandbox]") {
    SandboxLimits limits = testLimits();
    limits.instructions = std::numeric_limits<uint64_t>::max() / 2;  // the deadline, not the budget, must stop it
    auto sandbox = hostile("infinite-loop", limits);
    const auto start = std::chrono::steady_clock::now();
    CHECK(failureOf(*sandbox, "decode_request").id == ErrorId::PluginTimeout);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 200ms);
    CHECK(took < 1500ms);
    CHECK(sandbox->call("sum_to_1000", {}).integer == 500500);
}

TEST_CASE("the instruction budget stops a loop before a distant deadline", "[plugins][sandbox]") {
    SandboxLimits limits = testLimits();
    limits.deadline = 60s;
    limits.instructions = 1'000'000;
    auto sandbox = hostile("infinite-loop", limits);
    const auto start = std::chrono::steady_clock::now();
    CHECK(failureOf(*sandbox, "decode_request").id == ErrorId::PluginTimeout);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("pcall, xpcall, coroutines and load cannot swallow a timeout", "[plugins][sandbox]") {
    auto sandbox = hostile("catch-timeout");
    for (const char* f : {"pcall_loop", "xpcall_loop", "coroutine_loop", "wrap_loop", "loaded_loop"}) {
        INFO(f);
        CHECK(failureOf(*sandbox, f).id == ErrorId::PluginTimeout);
    }
}

TEST_CASE("a memory bomb hits the cap as PluginMemory and the state recovers", "[plugins][sandbox]") {
    auto sandbox = hostile("memory-bomb", memoryLimits());
    for (const char* f : {"table_growth", "string_growth", "caught_growth"}) {
        INFO(f);
        CHECK(failureOf(*sandbox, f).id == ErrorId::PluginMemory);
        CHECK(sandbox->memoryInUse() <= testLimits().memoryBytes);
        CHECK(sandbox->call("small", {}).integer == 3);
    }
}

TEST_CASE("string.rep refuses a gigabyte before allocating it", "[plugins][sandbox]") {
    auto sandbox = hostile("string-rep", memoryLimits());
    for (const char* f : {"huge", "method", "separator"}) {
        INFO(f);
        const Failure failure = failureOf(*sandbox, f);
        CHECK(failure.id == ErrorId::PluginMemory);
        CHECK(sandbox->memoryInUse() < 1024u * 1024);
    }
    CHECK(sandbox->call("fine", {}).integer == 29);
}

TEST_CASE("every way out of the sandbox fails", "[plugins][sandbox]") {
    auto sandbox = hostile("escapes");
    for (const char* f : {"os_execute", "io_open", "require_ffi", "require_parent", "require_io", "debug_getinfo",
                          "load_dump", "load_binary", "load_binary_mode", "load_reader", "collectgarbage_stop",
                          "gc_metamethod", "dofile", "package_path", "print"}) {
        INFO(f);
        CHECK(failureOf(*sandbox, f).id == ErrorId::PluginFailed);
    }
    CHECK_THAT(failureOf(*sandbox, "require_ffi").detail, Catch::Contains("module not allowed: ffi"));
    CHECK_THAT(failureOf(*sandbox, "require_parent").detail, Catch::Contains("module not allowed: ../x"));
    CHECK_THAT(failureOf(*sandbox, "require_io").detail, Catch::Contains("module not allowed: io"));
    CHECK_THAT(failureOf(*sandbox, "load_binary").detail, Catch::Contains("binary chunks are not allowed"));
    CHECK_THAT(failureOf(*sandbox, "load_binary_mode").detail, Catch::Contains("binary chunks are not allowed"));
    CHECK_THAT(failureOf(*sandbox, "collectgarbage_stop").detail, Catch::Contains("only \"count\""));
    CHECK_THAT(failureOf(*sandbox, "gc_metamethod").detail, Catch::Contains("__gc"));
}

TEST_CASE("a plugin requires its own modules, loaded once", "[plugins][sandbox]") {
    auto sandbox = hostile("escapes");
    const Value result = sandbox->call("require_own", {});
    CHECK(result.field("answer")->integer == 42);
    CHECK(result.field("same")->boolean);
    CHECK(sandbox->call("gc_count", {}).number > 0);
}

TEST_CASE("plugin errors become PluginFailed with the plugin's message", "[plugins][sandbox]") {
    auto sandbox = hostile("boom");
    const Failure boom = failureOf(*sandbox, "boom");
    CHECK(boom.id == ErrorId::PluginFailed);
    CHECK_THAT(boom.detail, Catch::Contains("boom"));
    CHECK_THAT(failureOf(*sandbox, "table_error").detail, Catch::Contains("table"));
    const Failure clipped = failureOf(*sandbox, "long_message");
    CHECK(clipped.detail.size() <= 300 + 3);
    CHECK(clipped.detail.rfind("é") == clipped.detail.size() - 5);  // no split character before "…"
}

TEST_CASE("kakehashi.err maps a name of the shared error table to its ErrorId", "[plugins][sandbox]") {
    auto sandbox = hostile("boom");
    const Failure named = failureOf(*sandbox, "named");
    CHECK(named.id == ErrorId::InvalidField);
    CHECK(named.detail == "患者番号が空です");
    const Failure unknown = failureOf(*sandbox, "unknown_name");
    CHECK(unknown.id == ErrorId::PluginFailed);
    CHECK_THAT(unknown.detail, Catch::Contains("no-such-error"));
    const Value caught = sandbox->call("caught_named", {});
    CHECK_FALSE(caught.field("ok")->boolean);
    CHECK(textOf(caught.field("name")) == "too-large");
    CHECK(textOf(caught.field("text")) == "too-large: m");
}

TEST_CASE("globals and metatables do not leak between two sandboxes", "[plugins][sandbox]") {
    auto polluted = hostile("pollute"), clean = hostile("pollute");
    polluted->call("pollute", {});
    const Value inside = polluted->call("probe", {});
    CHECK(textOf(inside.field("upper")) == "hijacked");
    CHECK(textOf(inside.field("leaked")) == "yes");

    const Value other = clean->call("probe", {});
    CHECK(other.field("leaked") == nullptr);
    CHECK(other.field("globalsPlain")->boolean);
    CHECK(textOf(other.field("upper")) == "A");
    CHECK(other.field("lowerThere")->boolean);
}

TEST_CASE("settings are read-only and a secret the host removed is not there", "[plugins][sandbox]") {
    // What the host passes after removing the secret "token" (see settings_schema.hpp visibleSettings).
    const std::string visible = R"({"label":"tiny","list":[1,2,3],"nested":{"a":1}})";
    auto sandbox = hostile("settings", testLimits(), visible);
    CHECK_THAT(failureOf(*sandbox, "write").detail, Catch::Contains("read-only"));
    CHECK_THAT(failureOf(*sandbox, "write_nested").detail, Catch::Contains("read-only"));
    CHECK(failureOf(*sandbox, "unlock").id == ErrorId::PluginFailed);
    const Value read = sandbox->call("read", {});
    CHECK(textOf(read.field("label")) == "tiny");
    CHECK(read.field("token") == nullptr);
    CHECK(textOf(read.field("keys")) == "label,list,nested");
    CHECK(read.field("listLength")->integer == 3);
    CHECK(read.field("nested")->integer == 1);
    CHECK(textOf(read.field("metatable")) == "read-only");
}

TEST_CASE("a memory cap too small for the sandbox itself is refused cleanly", "[plugins][sandbox]") {
    SandboxLimits tiny = testLimits();
    tiny.memoryBytes = 4096;
    try {
        Sandbox sandbox(hostileDir("boom"), tiny);
        FAIL("a 4 KiB sandbox was created");
    } catch (const AdapterError& e) {
        CHECK(e.id() == ErrorId::PluginFailed);
    }
}

namespace {
// Tells the test that the plugin's call is running: the plugin calls the global started() first.
struct StartSignal {
    std::mutex mutex;
    std::condition_variable changed;
    bool started = false;

    void wait() {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [this] { return started; });
    }
};

int noteStarted(lua_State* L) {
    auto* signal = static_cast<StartSignal*>(lua_touserdata(L, lua_upvalueindex(1)));
    {
        std::lock_guard<std::mutex> lock(signal->mutex);
        signal->started = true;
    }
    signal->changed.notify_all();
    return 0;
}

int openStarted(lua_State* L) {
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, noteStarted, 1);
    return 1;
}
}  // namespace

TEST_CASE("the host's stop signal ends a running call long before its deadline, as PluginRefused",
          "[plugins][sandbox]") {
    SandboxLimits limits = testLimits();
    limits.deadline = 60s;
    limits.instructions = std::numeric_limits<uint64_t>::max() / 2;
    for (const char* function : {"loop", "pattern_bomb", "caught_loop"}) {
        INFO(function);
        std::atomic<bool> stopping{false};
        StartSignal signal;
        Sandbox sandbox(hostileDir("stop-signal"), limits);
        sandbox.setStopSignal(&stopping);
        sandbox.installGlobal("started", openStarted, &signal);
        sandbox.loadEntry("adapter.lua");
        Failure failure;
        std::thread call([&] { failure = failureOf(sandbox, function); });
        signal.wait();
        const auto stoppedAt = std::chrono::steady_clock::now();
        stopping = true;
        call.join();
        CHECK(failure.id == ErrorId::PluginRefused);
        CHECK(failure.detail == kGatewayStopping);
        CHECK(std::chrono::steady_clock::now() - stoppedAt < 30s);  // ends at once; a generous bound, far below 60 s
    }
}
