// The plugin registry with a real bundle (tests/fixtures/plugins/bundles/tiny-echo), signed at test time
// into a temporary plugins root: signed bundles load, tampered, unsigned and badly configured ones are
// refused with the reason, and a fixed bundle is reloaded without a restart.
#include <catch2/catch.hpp>

#include "../temp_dir.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "plugins/registry.hpp"
#include "plugins/signature.hpp"
#include "plugins/spec_xml_adapter.hpp"

using namespace kh::plugins;
namespace fs = std::filesystem;

namespace {

const std::string kId = "tiny-echo";

std::string fixtureBundle() {
    return (fs::path(KAKEHASHI_FIXTURES) / "plugins/bundles" / kId).lexically_normal().string();
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// A plugins root holding a copy of the fixture, and a vendor key the box trusts.
struct Box {
    std::string root, privateKey, publicKey;
    std::string bundle() const { return root + "/" + kId; }

    Box() {
        std::string base = kh::test::tempDir("registry");
        root = base + "/plugins";
        privateKey = base + "/vendor.key";
        publicKey = base + "/vendor.pub";
        fs::create_directories(root);
        fs::copy(fixtureBundle(), bundle(), fs::copy_options::recursive);
        generateSigningKey(privateKey, publicKey);
    }
    void sign() const { signBundle(bundle(), privateKey); }
    PluginsConfig config() const {
        PluginsConfig c;
        c.root = root;
        c.order = {kId};
        c.trustedKeys = {publicKey};
        return c;
    }
};

PluginStatus statusOf(PluginRegistry& registry, const std::string& id) {
    auto all = registry.status();
    auto found = std::find_if(all.begin(), all.end(), [&](const PluginStatus& s) { return s.id == id; });
    REQUIRE(found != all.end());
    return *found;
}

// Flips one byte of a bundle file; flipping again restores it.
void flipByte(const std::string& path) {
    auto text = readFile(path);
    text[text.size() / 2] ^= 0x01;
    writeFile(path, text);
}

}  // namespace

TEST_CASE("a signed bundle in plugins.order loads and is enabled", "[plugins][registry]") {
    Box box;
    box.sign();
    PluginRegistry registry(box.config());
    registry.loadAll();
    auto status = statusOf(registry, kId);
    CHECK(status.state == "enabled");
    CHECK(status.problem == "");
    CHECK(status.version == "0.1.0");
    CHECK(status.manifest.channels.size() == 1);
    auto adapter = registry.adapter(kId);
    REQUIRE(adapter);
    CHECK(adapter->id() == kId);
    CHECK(adapter->decodeRequest({"a.txt", "", ""}).correlation == "tiny:a.txt");
}

TEST_CASE("a tampered bundle is refused, and loads after the fix with reload", "[plugins][registry]") {
    Box box;
    box.sign();
    flipByte(box.bundle() + "/names.lua");
    PluginRegistry registry(box.config());
    registry.loadAll();
    auto status = statusOf(registry, kId);
    CHECK(status.state == "refused");
    CHECK_THAT(status.problem, Catch::Contains("署名が一致しません：内容が変更されています"));
    CHECK_FALSE(registry.adapter(kId));

    flipByte(box.bundle() + "/names.lua");
    CHECK(registry.reload(kId) == "");
    CHECK(statusOf(registry, kId).state == "enabled");
    CHECK(registry.adapter(kId));
}

TEST_CASE("an unsigned bundle is refused, except in development mode", "[plugins][registry]") {
    Box box;
    auto config = box.config();
    {
        PluginRegistry registry(config);
        registry.loadAll();
        CHECK(statusOf(registry, kId).state == "refused");
        CHECK_THAT(statusOf(registry, kId).problem, Catch::Contains("署名がありません"));
    }
    config.developmentMode = true;
    PluginRegistry registry(config);
    registry.loadAll();
    CHECK(statusOf(registry, kId).state == "enabled");
    CHECK(statusOf(registry, kId).unsignedInDevelopment);
    CHECK(registry.adapter(kId));
    box.sign();
    CHECK(registry.reload(kId) == "");
    CHECK_FALSE(statusOf(registry, kId).unsignedInDevelopment);
}

TEST_CASE("settings that break the plugin's schema refuse it with the settings problem", "[plugins][registry]") {
    Box box;
    box.sign();
    auto config = box.config();
    config.settings[kId] = R"({"label":5})";
    PluginRegistry registry(config);
    registry.loadAll();
    auto status = statusOf(registry, kId);
    CHECK(status.state == "refused");
    CHECK_THAT(status.problem, Catch::StartsWith("settings.label: 値の種類が違います"));
    CHECK_FALSE(registry.adapter(kId));
}

TEST_CASE("a bundle with a bad manifest is refused with the manifest problem", "[plugins][registry]") {
    Box box;
    auto manifest = readFile(box.bundle() + "/plugin.json");
    manifest.replace(manifest.find("\"apiLevel\": 1"), 13, "\"apiLevel\": 9");
    writeFile(box.bundle() + "/plugin.json", manifest);
    box.sign();
    PluginRegistry registry(box.config());
    registry.loadAll();
    CHECK_THAT(statusOf(registry, kId).problem, Catch::Contains("plugin needs host API level 9"));
}

TEST_CASE("a plugin folder not in plugins.order is listed as disabled and not loaded", "[plugins][registry]") {
    Box box;
    box.sign();
    auto config = box.config();
    config.order.clear();
    PluginRegistry registry(config);
    registry.loadAll();
    auto status = statusOf(registry, kId);
    CHECK(status.state == "disabled");
    CHECK(status.problem.empty());
    CHECK_FALSE(registry.adapter(kId));
    CHECK_THAT(registry.enable(kId), Catch::Contains("plugins.order"));
}

TEST_CASE("disable and enable work without a restart; calls in flight keep their adapter", "[plugins][registry]") {
    Box box;
    box.sign();
    PluginRegistry registry(box.config());
    registry.loadAll();
    auto inFlight = registry.adapter(kId);
    REQUIRE(inFlight);

    CHECK(registry.disable(kId) == "");
    CHECK(statusOf(registry, kId).state == "disabled");
    CHECK_FALSE(registry.adapter(kId));
    CHECK(inFlight->decodeRequest({"b.txt", "", ""}).correlation == "tiny:b.txt");

    CHECK(registry.enable(kId) == "");
    CHECK(statusOf(registry, kId).state == "enabled");
    CHECK(registry.adapter(kId));
    CHECK(registry.enable(kId) == "");
    CHECK_THAT(registry.disable("no-such-plugin"), Catch::Contains("はありません"));
}

TEST_CASE("a new order drops the plugins it leaves out and lets enable load the ones it adds", "[plugins][registry]") {
    Box box;
    box.sign();
    auto config = box.config();
    config.order.clear();
    PluginRegistry registry(config);
    registry.loadAll();
    CHECK_FALSE(registry.adapter(kId));
    registry.setOrder({kId});
    CHECK(registry.order() == std::vector<std::string>{kId});
    CHECK(registry.enable(kId) == "");
    CHECK(statusOf(registry, kId).state == "enabled");
    CHECK(registry.adapter(kId));
    registry.setOrder({});
    CHECK(statusOf(registry, kId).state == "disabled");
    CHECK_FALSE(registry.adapter(kId));
    CHECK_THAT(registry.enable(kId), Catch::Contains("plugins.order"));
}

TEST_CASE("reload swaps in a fresh adapter and refuses a bundle that no longer passes", "[plugins][registry]") {
    Box box;
    box.sign();
    PluginRegistry registry(box.config());
    registry.loadAll();
    auto before = registry.adapter(kId);
    CHECK(registry.reload(kId) == "");
    auto after = registry.adapter(kId);
    REQUIRE(after);
    CHECK(after != before);
    CHECK(before->id() == kId);

    flipByte(box.bundle() + "/adapter.lua");
    CHECK_THAT(registry.reload(kId), Catch::Contains("内容が変更されています"));
    CHECK_FALSE(registry.adapter(kId));
    CHECK(after->id() == kId);
}

TEST_CASE("a plugin whose script fails to load is refused with the load error", "[plugins][registry]") {
    Box box;
    writeFile(box.bundle() + "/adapter.lua", "return 42\n");
    box.sign();
    PluginRegistry registry(box.config());
    registry.loadAll();
    auto status = statusOf(registry, kId);
    CHECK(status.state == "refused");
    CHECK_FALSE(status.problem.empty());
}

TEST_CASE("a built-in adapter disabled in the web admin can be enabled again", "[plugins]") {
    PluginRegistry registry(PluginsConfig{});
    registry.addBuiltIn(std::make_shared<SpecXmlAdapter>(), SpecXmlAdapter::manifest());
    const std::string id = SpecXmlAdapter::manifest().id;
    REQUIRE(registry.adapter(id));
    CHECK(registry.disable(id).empty());
    CHECK_FALSE(registry.adapter(id));
    CHECK(registry.enable(id).empty());
    CHECK(registry.adapter(id));
    auto status = registry.status();
    auto it = std::find_if(status.begin(), status.end(), [&](const PluginStatus& s) { return s.id == id; });
    REQUIRE(it != status.end());
    CHECK(it->state == "enabled");
}
