// libFuzzer target: random bytes through the shipped CSV and fixed-width adapters, via the Lua host.
// Any input must decode or fail with AdapterError; a crash or sanitizer report is a bug in the host.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "plugins/lua_adapter.hpp"
#include "plugins/manifest.hpp"
#include "plugins/settings_schema.hpp"

namespace {
std::unique_ptr<kh::plugins::LuaAdapter> load(const std::string& id) {
    std::string dir = std::string(KAKEHASHI_PLUGINS_DIR) + "/" + id;
    auto m = kh::plugins::loadManifest(dir);
    kh::plugins::SandboxLimits limits;
    limits.deadline = std::chrono::milliseconds(500);
    return std::make_unique<kh::plugins::LuaAdapter>(m, dir, kh::plugins::visibleSettings(m.settingsSchemaJson, "{}"), limits);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static auto csv = load("csv-sjis");
    static auto fixed = load("fixed-width");
    std::string body(reinterpret_cast<const char*>(data), size);
    for (auto* adapter : {csv.get(), fixed.get()}) {
        try {
            auto decoded = adapter->decodeRequest({"fuzz.in", body, ""});
            std::vector<std::string> answers(decoded.entries.size(), "{\"status\":\"valid\",\"arbitraryIdentifier\":\"x\"}");
            adapter->encodeResult({{"fuzz.in", body, ""}, decoded.correlation, answers, {}});
        } catch (const kh::plugins::AdapterError&) {
        }
    }
    return 0;
}
