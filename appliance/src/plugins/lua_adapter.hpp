// A Lua plugin as an Adapter: one sandboxed lua_State per instance, calls serialised on it. The plugin's
// entry file returns a table with decode_request(msg, ctx), encode_result(result, ctx) and optionally
// on_event(event, ctx). Any failure (error, timeout, memory, wrong return type) becomes an AdapterError;
// the process is never harmed.
#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "plugins/adapter.hpp"
#include "plugins/manifest.hpp"

namespace kh::plugins {

struct SandboxLimits {
    size_t memoryBytes = 32u * 1024 * 1024;
    uint64_t instructions = 100'000'000;       // per call, counted by a hook every 1000 instructions
    std::chrono::milliseconds deadline{2000};  // per call, wall clock
};

class Sandbox;  // sandbox.hpp

// The detail of the PluginRefused a call ends with when the host stops: the message was not handled, so a
// channel keeps it for the next start instead of dead-lettering it.
inline constexpr char kGatewayStopping[] = "the gateway is stopping";

class LuaAdapter : public Adapter {
public:
    // Loads <dir>/<manifest.entry> (and the plugin's own modules for require) into a fresh sandbox.
    // `visibleSettingsJson` is what ctx.settings shows (secrets already removed). Throws AdapterError
    // (PluginFailed) when the plugin does not load or does not return the adapter table. Once `stopping`
    // (the host's stop signal, if any) is set, a running call ends at its next budget check and no new one
    // starts: both throw AdapterError(PluginRefused, kGatewayStopping).
    LuaAdapter(const Manifest& manifest, const std::string& dir, const std::string& visibleSettingsJson,
               SandboxLimits limits = {}, std::shared_ptr<const std::atomic<bool>> stopping = nullptr);
    ~LuaAdapter() override;

    std::string id() const override { return manifest_.id; }
    DecodedRequest decodeRequest(const ChannelMessage& message) override;
    std::vector<ChannelMessage> encodeResult(const AnswerSet& answers) override;
    void onEvent(const std::string& eventJson) override;

    size_t memoryInUse() const;  // bytes held by the plugin's state now

private:
    void refuseWhenStopping() const;

    Manifest manifest_;
    std::string settingsJson_;
    std::shared_ptr<const std::atomic<bool>> stopping_;  // before sandbox_: the sandbox points to it
    std::unique_ptr<Sandbox> sandbox_;
    mutable std::mutex mutex_;
};

}  // namespace kh::plugins
