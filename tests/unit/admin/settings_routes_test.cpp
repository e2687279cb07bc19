// Tests of the settings rules (settings_routes.cpp): which stored values still wait for a restart — the
// web admin's banner 「再起動を待っている変更があります」 — and that each rule's refusal is Japanese only.
#include <catch2/catch.hpp>

#include <map>
#include <regex>

#include "../temp_dir.hpp"
#include "admin/settings_routes.hpp"
#include "store/settings.hpp"
#include "store/store.hpp"

using namespace kh;

TEST_CASE("a stored value waits for a restart only while it differs from the running one", "[admin][settings]") {
    test::TempDir dir;
    store::Store store(dir.path + "/kakehashi.db", dir.path + "/keys");
    store::Settings settings(store);
    std::map<std::string, std::string> running = {{"fileDrop.resultEncoding", "request"}, {"plugins.order", "csv-sjis"},
                                                  {"facility.name", "架け橋クリニック"}};
    CHECK(admin::waitingForRestart(settings, running).empty());  // nothing stored: the file's values run

    settings.set("fileDrop.resultEncoding", "request", "it-tanaka");  // the same as running
    settings.set("plugins.order", "json-webhook", "it-tanaka");       // applies at once: never waits
    settings.set("facility.name", "架け橋在宅クリニック", "it-tanaka");  // applies at once too
    CHECK(admin::waitingForRestart(settings, running).empty());

    settings.set("fileDrop.resultEncoding", "utf-8", "it-tanaka");
    CHECK(admin::waitingForRestart(settings, running) == std::vector<std::string>{"fileDrop.resultEncoding"});
    running["fileDrop.resultEncoding"] = "utf-8";  // after the restart
    CHECK(admin::waitingForRestart(settings, running).empty());
}

TEST_CASE("every rule refuses in Japanese alone, saying what to type", "[admin][settings]") {
    const std::regex englishTail(R"(\((?:[A-Za-z0-9–-]+ ?)+\)|（[a-z ]+）)");
    for (const auto& rule : admin::settingRules()) {
        INFO(rule.key);
        for (const std::string& typed : {std::string("\x01"), std::string(400, 'x'), std::string("maybe")}) {
            std::string refusal = rule.problem(typed);
            if (refusal.empty()) continue;  // a free text that takes it
            CHECK_FALSE(std::regex_search(refusal, englishTail));
            CHECK(refusal.find("ください") != std::string::npos);
        }
    }
    CHECK(admin::settingRules().size() >= 14);
}
