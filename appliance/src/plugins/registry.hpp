// The plugins the box runs: found under the plugins root, loaded in the configured order, each checked
// (manifest, signature, settings) before it runs, and enabled, disabled or reloaded without a restart.
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plugins/lua_adapter.hpp"
#include "plugins/manifest.hpp"

namespace kh::plugins {

struct PluginsConfig {
    std::string root;                          // folder holding one folder per plugin
    std::vector<std::string> order;            // ids, in the order they are loaded and bound
    std::vector<std::string> trustedKeys;      // public-key PEM files of trusted vendors
    bool developmentMode = false;              // unsigned plugins load only here
    std::map<std::string, std::string> settings;  // id → settings JSON
    SandboxLimits limits;
};

struct PluginStatus {
    std::string id, version, state;  // state: "enabled" | "disabled" | "refused"
    std::string problem;             // why refused (signature, manifest, settings, load error)
    bool unsignedInDevelopment = false;  // enabled although its signature did not pass (developmentMode)
    bool builtIn = false;                // part of the binary: always there, never in plugins.order
    Manifest manifest;
};

class PluginRegistry {
public:
    explicit PluginRegistry(PluginsConfig config);
    void loadAll();                                    // never throws: a bad plugin is "refused"
    std::shared_ptr<Adapter> adapter(const std::string& id);  // nullptr unless enabled
    std::vector<PluginStatus> status();
    // Each returns "" on success or the problem; reload re-reads the bundle from disk.
    std::string enable(const std::string& id);
    std::string disable(const std::string& id);
    std::string reload(const std::string& id);
    // New settings for a plugin: checked against its schema, then the plugin is read again with them.
    // Returns "" or the problem (the old settings stay when they are refused).
    std::string changeSettings(const std::string& id, const std::string& settingsJson);
    // The settings in use, secrets included: for the host only (the web admin never shows secrets).
    std::string settingsOf(const std::string& id);
    const PluginsConfig& config() const { return config_; }
    // The plugins enabled, in the order they are bound. A new order drops the plugins it leaves out at
    // once; one it adds is loaded by enable().
    std::vector<std::string> order();
    void setOrder(std::vector<std::string> order);
    // A native (C++) adapter, always enabled, bound like a plugin: no bundle, no signature to check.
    void addBuiltIn(std::shared_ptr<Adapter> adapter, Manifest manifest);
    // The host is stopping: running plugin calls end at their next budget check and no new one starts
    // (both as PluginRefused, kGatewayStopping), so shutdown never waits for a plugin.
    void stopCalls() { stopping_->store(true); }
    bool stopping() const { return stopping_->load(); }

private:
    PluginStatus loadOne(const std::string& id, std::shared_ptr<Adapter>& out);

    PluginsConfig config_;
    std::mutex mutex_;
    std::map<std::string, PluginStatus> status_;
    std::map<std::string, std::shared_ptr<Adapter>> adapters_;
    std::map<std::string, std::pair<std::shared_ptr<Adapter>, Manifest>> builtIns_;
    // Shared with every adapter, which may outlive the registry in a call still holding it.
    std::shared_ptr<std::atomic<bool>> stopping_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace kh::plugins
