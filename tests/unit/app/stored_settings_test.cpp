// Tests of the settings stored in the database laid over the configuration file (stored_settings.cpp): what
// IT staff set in the web admin wins at the next start; a box without a database starts from the file alone;
// every setting the web admin lets them change (admin::settingRules) is applied at start and reported as
// the value in effect, so the web admin can say which change still waits for a restart.
#include <catch2/catch.hpp>

#include <map>

#include "../temp_dir.hpp"
#include "admin/settings_routes.hpp"
#include "app/config.hpp"
#include "store/settings.hpp"
#include "store/store.hpp"

using namespace kh;

namespace {
// A value each rule accepts, unlike the defaults.
const std::map<std::string, std::string> kSamples = {
    {"facility.name", "架け橋在宅クリニック"},
    {"facility.institutionCode", "1312345679"},
    {"upstream.baseUrl", "https://central.example.jp:8443"},
    {"homeConsent.medicalInfoRetentionDays", "14"},
    {"cardReaders.enabled", "false"},
    {"upstream.profile", "terminal"},
    {"upstream.terminal.url", "smb://terminal.local/OQS"},
    {"upstream.terminal.user", "kakehashi"},
    {"upstream.terminal.concurrency", "4"},
    {"upstream.terminal.answerTimeoutSeconds", "120"},
    {"fileDrop.enabled", "false"},
    {"fileDrop.resultEncoding", "shift_jis"},
    {"fileDrop.faceExportBatches", "true"},
    {"plugins.order", "json-webhook,csv-sjis"},
};

struct Box {
    test::TempDir dir;
    app::Config config;
    Box() { config.stateDir = dir.path; }
    // Settings set in the web admin, kept where the gateway keeps its database.
    void set(const std::map<std::string, std::string>& values) {
        store::Store store(dir.path + "/kakehashi.db", dir.path + "/keys");
        store::Settings settings(store);
        for (const auto& [key, value] : values) settings.set(key, value, "it-tanaka");
    }
};
}  // namespace

TEST_CASE("a box without a database starts from the file alone", "[app][stored-settings]") {
    Box box;
    box.config.facilityName = "ファイルの名前";
    app::applyStoredSettings(box.config);
    CHECK(box.config.facilityName == "ファイルの名前");
    CHECK(app::runningSettings(box.config).at("facility.name") == "ファイルの名前");
}

TEST_CASE("what was set in the web admin wins over the file", "[app][stored-settings]") {
    Box box;
    box.config.facilityName = "ファイルの名前";
    box.config.institutionCode = "1312345678";
    box.config.upstream.certFile = "/etc/kakehashi/old.crt";
    box.set({{"facility.name", "架け橋在宅クリニック"}, {"facility.institutionCode", "1312345679"},
             {"upstream.certFile", "/var/lib/kakehashi/certificates/client.crt"}, {"cardReaders.enabled", "false"}});
    app::applyStoredSettings(box.config);
    CHECK(box.config.facilityName == "架け橋在宅クリニック");
    CHECK(box.config.institutionCode == "1312345679");
    CHECK(box.config.upstream.certFile == "/var/lib/kakehashi/certificates/client.crt");  // installed on the certificates page
    CHECK_FALSE(box.config.cardReadersEnabled);
    CHECK(box.config.upstream.baseUrl.empty());  // not set there: the file's
}

TEST_CASE("a share named in the web admin replaces the file's mounted folder; an empty one does not", "[app][stored-settings]") {
    Box box;
    box.config.terminal.path = "/mnt/terminal";
    box.set({{"upstream.terminal.url", ""}});
    app::applyStoredSettings(box.config);
    CHECK(box.config.terminal.path == "/mnt/terminal");
    box.set({{"upstream.terminal.url", "smb://terminal.local/OQS"}});
    app::applyStoredSettings(box.config);
    CHECK(box.config.terminal.url == "smb://terminal.local/OQS");
    CHECK(box.config.terminal.path.empty());  // one of the two
}

TEST_CASE("every setting the web admin changes is applied at start and reported in effect", "[app][stored-settings]") {
    Box box;
    std::map<std::string, std::string> values;
    for (const auto& rule : admin::settingRules()) {
        INFO(rule.key);
        auto sample = kSamples.find(rule.key);
        REQUIRE(sample != kSamples.end());  // a new setting: give it a sample here
        CHECK(rule.problem(sample->second).empty());
        values[rule.key] = sample->second;
    }
    auto before = app::runningSettings(box.config);
    box.set(values);
    app::applyStoredSettings(box.config);
    auto running = app::runningSettings(box.config);
    for (const auto& [key, value] : values) {
        INFO(key);
        REQUIRE(running.count(key) == 1);
        CHECK(before.at(key) != value);  // the sample differs from the default, so applying it shows
        CHECK(running.at(key) == value);
    }
}
