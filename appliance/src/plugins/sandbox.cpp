// The Lua sandbox of one plugin instance: the capped allocator, the instruction/deadline hook, the
// protected calls into the plugin and the mapping of their failures to the shared error table. The
// allow-list environment itself is built in host_stdlib.cpp.
#include "plugins/sandbox.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

extern "C" {
#include <lauxlib.h>
}

#include "model/errors.hpp"

namespace kh::plugins {

namespace {
using model::ErrorId;

constexpr int kHookInterval = 1000;  // instructions between two looks at the budget
constexpr size_t kMaxDetail = 300;   // bytes of a plugin's error message kept in AdapterError
const char kNamedError = 0;

// Cuts at `limit` bytes without splitting a UTF-8 sequence.
std::string clip(std::string text, size_t limit = kMaxDetail) {
    if (text.size() <= limit) return text;
    size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text.resize(end);
    return text + "…";
}

bool safeRelativePath(const std::string& path) {
    return !path.empty() && path.front() != '/' && path.find("..") == std::string::npos;
}

// The regular file <dir>/<relative> when it really lies inside <dir> (a symlink may not lead out).
std::optional<std::filesystem::path> insidePlugin(const std::string& dir, const char* relative) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path root = fs::canonical(dir, ec);
    if (ec) return std::nullopt;
    const fs::path file = fs::canonical(root / relative, ec);
    if (ec || !fs::is_regular_file(file, ec)) return std::nullopt;
    if (std::mismatch(root.begin(), root.end(), file.begin(), file.end()).first != root.end()) return std::nullopt;
    return file;
}

struct InstallJob {
    const char* name;
    lua_CFunction open;
    void* data;
};

int runInstall(lua_State* L) {
    auto* job = static_cast<InstallJob*>(lua_touserdata(L, 1));
    lua_pushcfunction(L, job->open);
    lua_pushlightuserdata(L, job->data);
    lua_call(L, 1, 1);
    lua_pushglobaltable(L);  // the plugin's environment (openEnvironment made it the globals)
    lua_insert(L, -2);
    lua_setfield(L, -2, job->name);
    return 0;
}

struct EntryJob {
    Sandbox* sandbox;
    const char* file;
    int ref;
};

int runEntry(lua_State* L) {
    auto* job = static_cast<EntryJob*>(lua_touserdata(L, 1));
    const int status = job->sandbox->pushChunkFile(L, job->file);
    if (status == Sandbox::kUnreadable) return luaL_error(L, "cannot read the entry file %s", job->file);
    if (status != LUA_OK) return lua_error(L);
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1)) return luaL_error(L, "%s must return the adapter table", job->file);
    job->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

struct CallJob {
    int entryRef;
    const char* function;
    const std::vector<Value>* args;
    bool found;
};

// Pushes entry[function] (read raw) and tells whether it is a function.
bool pushEntryField(lua_State* L, int entryRef, const char* function) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, entryRef);
    if (!lua_istable(L, -1)) return false;
    lua_pushstring(L, function);
    return lua_rawget(L, -2) == LUA_TFUNCTION;
}

int lookUpFunction(lua_State* L) {
    auto* job = static_cast<CallJob*>(lua_touserdata(L, 1));
    job->found = pushEntryField(L, job->entryRef, job->function);
    return 0;
}

int invokeFunction(lua_State* L) {
    auto* job = static_cast<CallJob*>(lua_touserdata(L, 1));
    if (!pushEntryField(L, job->entryRef, job->function))
        return luaL_error(L, "the adapter table has no function %s", job->function);
    luaL_checkstack(L, int(job->args->size()) + 2, "too many arguments");
    for (const Value& arg : *job->args) pushValue(L, arg);
    lua_call(L, int(job->args->size()), 1);
    return 1;
}

bool isNamedError(lua_State* L, int index) {
    if (!lua_getmetatable(L, index)) return false;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &kNamedError);
    const bool named = lua_rawequal(L, -1, -2) != 0;
    lua_pop(L, 2);
    return named;
}

std::string stringField(const Value& v, const char* key) {
    const Value* f = v.field(key);
    return f && f->isString() ? f->text : std::string();
}

// kakehashi.err(name, message): the ErrorId of that name in the shared table, else PluginFailed.
std::pair<ErrorId, std::string> namedFailure(const Value& error) {
    const std::string name = stringField(error, "name"), message = stringField(error, "message");
    for (const model::ErrorInfo* e = model::errorTableBegin(); e != model::errorTableEnd(); ++e)
        if (name == e->name) return {e->id, clip(message.empty() ? name : message)};
    return {ErrorId::PluginFailed, clip(name + ": " + message)};
}
}  // namespace

const void* namedErrorKey() { return &kNamedError; }

Sandbox::Sandbox(std::string pluginDir, SandboxLimits limits) : pluginDir_(std::move(pluginDir)), limits_(limits) {
    L_ = lua_newstate(&Sandbox::allocate, this);
    if (L_ == nullptr) throw AdapterError(ErrorId::PluginFailed, "the plugin's Lua state could not be created");
    *static_cast<Sandbox**>(lua_getextraspace(L_)) = this;
    lua_sethook(L_, &Sandbox::countHook, LUA_MASKCOUNT, kHookInterval);
    beginCall();
    if (runProtected(&openEnvironment, this) != LUA_OK) {
        lua_close(L_);
        throw AdapterError(ErrorId::PluginFailed, "the sandbox could not be set up within its memory limit");
    }
    lua_settop(L_, 0);
}

Sandbox::~Sandbox() { lua_close(L_); }

Sandbox& Sandbox::of(lua_State* L) { return **static_cast<Sandbox**>(lua_getextraspace(L)); }

size_t Sandbox::memoryHeadroom() const {
    const size_t used = memoryInUse();
    return used < limits_.memoryBytes ? limits_.memoryBytes - used : 0;
}

// lua_Alloc: refuses growth past the cap (Lua then collects garbage, retries, and raises LUA_ERRMEM).
void* Sandbox::allocate(void* self, void* block, size_t oldSize, size_t newSize) {
    auto* sandbox = static_cast<Sandbox*>(self);
    const size_t held = block != nullptr ? oldSize : 0;  // for a new block, oldSize is a type tag
    if (newSize == 0) {
        std::free(block);
        sandbox->used_.fetch_sub(held, std::memory_order_relaxed);
        return nullptr;
    }
    if (newSize > held && newSize - held > sandbox->memoryHeadroom()) return nullptr;
    void* resized = std::realloc(block, newSize);
    if (resized != nullptr) {
        sandbox->used_.fetch_add(newSize, std::memory_order_relaxed);
        sandbox->used_.fetch_sub(held, std::memory_order_relaxed);
    }
    return resized;
}

// Whether the call may go on: false once the instruction budget or the deadline is spent (timed out) or
// the host is stopping. The state sticks until the next call begins.
bool Sandbox::budgetLeft() {
    if (stopping_ != nullptr && stopping_->load(std::memory_order_relaxed)) stopped_ = true;
    if (instructionsUsed_ > limits_.instructions || std::chrono::steady_clock::now() > deadline_) timedOut_ = true;
    return !timedOut_ && !stopped_;
}

bool Sandbox::spendSteps(uint64_t steps) {
    instructionsUsed_ += steps;
    return budgetLeft();
}

int Sandbox::raiseBudgetSpent(lua_State* L) {
    lua_pushliteral(L, "plugin exceeded its time budget");
    return lua_error(L);
}

// Every kHookInterval instructions: charge the budget, look at the clock, and once either is spent keep
// raising (plugin code cannot catch it: the sandbox's pcall re-raises while aborting()).
void Sandbox::countHook(lua_State* L, lua_Debug*) {
    Sandbox& s = of(L);
    s.instructionsUsed_ += kHookInterval;
    if (!s.budgetLeft()) raiseBudgetSpent(L);
}

void Sandbox::beginCall() {
    instructionsUsed_ = 0;
    deadline_ = std::chrono::steady_clock::now() + limits_.deadline;
    timedOut_ = false;
    memoryExceeded_ = false;
    stopped_ = false;
}

int Sandbox::runProtected(lua_CFunction f, void* job) {
    lua_settop(L_, 0);
    lua_pushcfunction(L_, f);
    lua_pushlightuserdata(L_, job);
    return lua_pcall(L_, 1, 1, 0);
}

int Sandbox::pushChunkFile(lua_State* L, const char* relativePath) noexcept {
    try {
        const auto path = insidePlugin(pluginDir_, relativePath);
        if (!path) return kUnreadable;
        std::ifstream in(*path, std::ios::binary);
        if (!in) return kUnreadable;
        std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (in.bad() || source.size() > limits_.memoryBytes) return kUnreadable;
        const std::string chunkName = std::string("@") + relativePath;
        return luaL_loadbufferx(L, source.data(), source.size(), chunkName.c_str(), "t");  // never raises
    } catch (...) {
        return kUnreadable;
    }
}

int Sandbox::pushModuleChunk(lua_State* L, const char* name) noexcept {
    try {
        std::string path = name;
        for (char& c : path)
            if (c == '.') c = '/';
        return pushChunkFile(L, (path + ".lua").c_str());
    } catch (...) {
        return kUnreadable;
    }
}

void Sandbox::installGlobal(const char* name, lua_CFunction open, void* data) {
    beginCall();
    InstallJob job{name, open, data};
    const int status = runProtected(&runInstall, &job);
    if (status != LUA_OK) fail(status);
    lua_settop(L_, 0);
}

void Sandbox::loadEntry(const std::string& entryFile) {
    if (!safeRelativePath(entryFile))
        throw AdapterError(ErrorId::PluginFailed, "the entry file must be a path inside the plugin");
    beginCall();
    EntryJob job{this, entryFile.c_str(), LUA_NOREF};
    const int status = runProtected(&runEntry, &job);
    if (status != LUA_OK) fail(status);
    entryRef_ = job.ref;
    lua_settop(L_, 0);
}

bool Sandbox::hasFunction(const char* name) {
    beginCall();
    CallJob job{entryRef_, name, nullptr, false};
    const bool found = runProtected(&lookUpFunction, &job) == LUA_OK && job.found;
    lua_settop(L_, 0);
    return found;
}

Value Sandbox::call(const char* function, const std::vector<Value>& args) {
    beginCall();
    CallJob job{entryRef_, function, &args, false};
    const int status = runProtected(&invokeFunction, &job);
    if (status != LUA_OK) fail(status);
    Value result;
    try {
        result = readValue(L_, -1);
    } catch (const std::exception&) {
        lua_settop(L_, 0);
        throw AdapterError(ErrorId::PluginFailed, std::string(function) + " returned a value nested too deeply");
    }
    lua_settop(L_, 0);
    return result;
}

std::pair<ErrorId, std::string> Sandbox::describeFailure(int status) {
    if (stopped_) return {ErrorId::PluginRefused, kGatewayStopping};
    if (timedOut_)
        return {ErrorId::PluginTimeout, "plugin exceeded its budget of " + std::to_string(limits_.deadline.count()) +
                                            " ms or " + std::to_string(limits_.instructions) + " instructions"};
    if (status == LUA_ERRMEM || memoryExceeded_)
        return {ErrorId::PluginMemory,
                "plugin exceeded its memory limit of " + std::to_string(limits_.memoryBytes) + " bytes"};
    Value error;
    try {
        error = readValue(L_, -1);
    } catch (const std::exception&) {
    }
    if (error.isTable() && isNamedError(L_, -1)) return namedFailure(error);
    if (error.isString()) return {ErrorId::PluginFailed, clip(error.text)};
    return {ErrorId::PluginFailed, std::string("plugin raised an error value of type ") + error.typeName()};
}

// Maps the failure of a protected call, leaves the state usable (empty stack, garbage collected), throws.
void Sandbox::fail(int status) {
    auto [id, detail] = describeFailure(status);
    lua_settop(L_, 0);
    lua_gc(L_, LUA_GCCOLLECT);
    throw AdapterError(id, std::move(detail));
}

}  // namespace kh::plugins
