// The plugin registry: each plugin named in plugins.order is checked (manifest → signature → settings)
// and only then given a sandboxed LuaAdapter. A plugin is "enabled" exactly when it holds an adapter;
// loading runs outside the lock, and the new adapter is swapped in under it, so a call in flight keeps
// the shared_ptr it already holds. Reload reflects the disk: a bundle that no longer passes is refused,
// not kept running on its old copy. Logs carry ids, versions and problems, never settings values.
#include "plugins/registry.hpp"

#include <algorithm>
#include <filesystem>

#include "base/log.hpp"
#include "plugins/settings_schema.hpp"
#include "plugins/signature.hpp"

namespace kh::plugins {
namespace {

const char* const kNotInOrder = "有効にするプラグインの順番（plugins.order）に入っていないため読み込みません";

std::string joined(const std::vector<std::string>& problems) {
    std::string text;
    for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
    return text;
}

PluginStatus refused(PluginStatus status, const std::string& problem) {
    status.state = "refused";
    status.problem = problem;
    log::warn("plugin.refused", {{"id", status.id}, {"version", status.version}, {"problem", problem}});
    return status;
}

// Plugin folders under the root that plugins.order does not name: listed as disabled (that is what
// being left out of the order means), never loaded.
std::vector<PluginStatus> unlisted(const PluginsConfig& config) {
    std::vector<PluginStatus> out;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(config.root, error)) {
        auto id = entry.path().filename().string();
        if (id.front() == '.' || !entry.is_directory(error)) continue;
        if (std::count(config.order.begin(), config.order.end(), id)) continue;
        PluginStatus status{id, "", "disabled", "", false, false, {}};
        try {
            status.manifest = loadManifest(entry.path().string());
            status.version = status.manifest.version;
        } catch (const std::exception&) {  // shown when it is enabled and loaded
        }
        out.push_back(std::move(status));
    }
    return out;
}

}  // namespace

PluginRegistry::PluginRegistry(PluginsConfig config) : config_(std::move(config)) {}

PluginStatus PluginRegistry::loadOne(const std::string& id, std::shared_ptr<Adapter>& out) {
    out.reset();
    PluginStatus status{id, "", "refused", "", false, false, {}};
    auto dir = config_.root + "/" + id;
    try {
        status.manifest = loadManifest(dir);
    } catch (const std::exception& e) {
        return refused(status, e.what());
    }
    status.version = status.manifest.version;
    if (auto problem = verifyBundle(dir, config_.trustedKeys); !problem.empty()) {
        if (!config_.developmentMode) return refused(status, problem);
        log::warn("plugin.unsigned_dev_mode", {{"id", id}, {"version", status.version}, {"problem", problem}});
        status.unsignedInDevelopment = true;
    }
    std::string settings = settingsOf(id);
    const auto& schema = status.manifest.settingsSchemaJson;
    if (auto problems = validateSettings(schema, settings); !problems.empty()) return refused(status, joined(problems));
    try {
        out = std::make_shared<LuaAdapter>(status.manifest, dir, visibleSettings(schema, settings), config_.limits,
                                           stopping_);
    } catch (const std::exception& e) {
        return refused(status, e.what());
    }
    status.state = "enabled";
    log::info("plugin.loaded", {{"id", id}, {"version", status.version}});
    return status;
}

void PluginRegistry::loadAll() {
    std::map<std::string, PluginStatus> statuses;
    std::map<std::string, std::shared_ptr<Adapter>> adapters;
    for (const auto& id : config_.order) {
        if (statuses.count(id)) continue;  // named twice: loaded once
        std::shared_ptr<Adapter> adapter;
        statuses[id] = loadOne(id, adapter);
        if (adapter) adapters[id] = std::move(adapter);
    }
    for (auto& status : unlisted(config_)) statuses[status.id] = std::move(status);
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, builtIn] : builtIns_) {
        statuses[id] = PluginStatus{id, builtIn.second.version, "enabled", "", false, true, builtIn.second};
        adapters[id] = builtIn.first;
    }
    status_.swap(statuses);
    adapters_.swap(adapters);
}

std::shared_ptr<Adapter> PluginRegistry::adapter(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = adapters_.find(id);
    return found == adapters_.end() ? nullptr : found->second;
}

std::vector<std::string> PluginRegistry::order() {
    std::lock_guard<std::mutex> lock(mutex_);
    return config_.order;
}

void PluginRegistry::setOrder(std::vector<std::string> order) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& id : config_.order) {
        if (std::count(order.begin(), order.end(), id) || builtIns_.count(id)) continue;
        adapters_.erase(id);
        auto found = status_.find(id);
        if (found == status_.end() || found->second.state != "enabled") continue;  // a refusal keeps its reason
        found->second.state = "disabled";
        found->second.unsignedInDevelopment = false;
        log::info("plugin.disabled", {{"id", id}, {"version", found->second.version}});
    }
    config_.order = std::move(order);
}

// In plugins.order first, then the unlisted ones by id.
std::vector<PluginStatus> PluginRegistry::status() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<PluginStatus> out;
    for (const auto& id : config_.order) {
        auto found = status_.find(id);
        if (found != status_.end() && std::none_of(out.begin(), out.end(), [&](auto& s) { return s.id == id; }))
            out.push_back(found->second);
    }
    for (const auto& [id, s] : status_)
        if (!std::count(config_.order.begin(), config_.order.end(), id)) out.push_back(s);
    return out;
}

// Enabling loads the bundle afresh, so a plugin is never enabled without passing every check again.
std::string PluginRegistry::enable(const std::string& id) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (adapters_.count(id)) return "";
    }
    return reload(id);
}

std::string PluginRegistry::disable(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = status_.find(id);
    if (found == status_.end()) return "プラグイン " + id + " はありません";
    adapters_.erase(id);
    if (found->second.state == "enabled") {
        found->second.state = "disabled";
        found->second.problem.clear();
        log::info("plugin.disabled", {{"id", id}, {"version", found->second.version}});
    }
    return "";
}

void PluginRegistry::addBuiltIn(std::shared_ptr<Adapter> adapter, Manifest manifest) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string id = manifest.id;
    status_[id] = PluginStatus{id, manifest.version, "enabled", "", false, true, manifest};
    adapters_[id] = adapter;
    builtIns_[id] = {std::move(adapter), std::move(manifest)};
}

std::string PluginRegistry::reload(const std::string& id) {
    {
        // Part of the binary: nothing to re-read, but a disabled one is bound again.
        std::lock_guard<std::mutex> lock(mutex_);
        auto builtIn = builtIns_.find(id);
        if (builtIn != builtIns_.end()) {
            adapters_[id] = builtIn->second.first;
            status_[id].state = "enabled";
            status_[id].problem.clear();
            return "";
        }
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!std::count(config_.order.begin(), config_.order.end(), id)) return kNotInOrder;
    }
    std::shared_ptr<Adapter> adapter;
    auto status = loadOne(id, adapter);
    std::lock_guard<std::mutex> lock(mutex_);
    status_[id] = status;
    if (adapter) adapters_[id] = std::move(adapter);
    else adapters_.erase(id);
    return status.problem;
}

std::string PluginRegistry::settingsOf(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = config_.settings.find(id);
    return found == config_.settings.end() ? std::string("{}") : found->second;
}

std::string PluginRegistry::changeSettings(const std::string& id, const std::string& settingsJson) {
    Manifest manifest;
    bool disabled = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto found = status_.find(id);
        if (found == status_.end() || builtIns_.count(id)) return "プラグイン " + id + " には設定がありません";
        manifest = found->second.manifest;
        disabled = found->second.state == "disabled";
    }
    if (manifest.id.empty()) return "plugin.json を読めないため設定を検査できません";
    if (auto problems = validateSettings(manifest.settingsSchemaJson, settingsJson); !problems.empty()) return joined(problems);
    std::string before = settingsOf(id);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        config_.settings[id] = settingsJson;
    }
    if (disabled) return "";  // a disabled plugin stays so: the settings count when it is enabled
    std::string problem = reload(id);
    if (!problem.empty()) {  // the plugin refused them when it ran: back to the settings it ran with
        {
            std::lock_guard<std::mutex> lock(mutex_);
            config_.settings[id] = before;
        }
        reload(id);
    }
    return problem;
}

}  // namespace kh::plugins
