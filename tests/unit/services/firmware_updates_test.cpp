#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../error_of.hpp"
#include "../temp_dir.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"
#include "services/firmware_updates.hpp"

using kh::test::errorOf;
using namespace kh::services;
using kh::model::ErrorId;
using kh::model::KakehashiError;

namespace {
std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void put(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// A payload that starts like a squashfs image, as a RAUC bundle does.
std::string bundleBytes(size_t n) {
    std::string b = "hsqs";
    while (b.size() < n) b += char('a' + b.size() % 26);
    return b;
}

FirmwareSettings settingsIn(const std::string& dir, uint64_t reserve = 0) {
    std::filesystem::create_directories(dir + "/updater");
    return FirmwareSettings{dir + "/update", dir + "/updater", 8u << 20, reserve, dir + "/release"};
}

struct Box {
    std::string dir = kh::test::tempDir("firmware");
    std::string update = dir + "/update";
    std::string updater = dir + "/updater";
    FirmwareUpdates firmware{settingsIn(dir)};
    ~Box() { std::filesystem::remove_all(dir); }

    // What the root updater does with the request: takes it, and answers for its id.
    void answer(const std::string& fields, bool take = true) {
        auto sent = parseFirmwareFields(slurp(update + "/request.sent"));
        if (take) std::filesystem::remove(update + "/request");
        put(updater + "/status", "id=" + sent["id"] + "\naction=" + sent["action"] + "\nsha256=" + sent["sha256"] + "\n" + fields);
    }
};
}  // namespace

TEST_CASE("an uploaded bundle lands whole, with its SHA-256, and a check is asked for", "[services][firmware]") {
    Box box;
    struct stat st{};
    REQUIRE(stat(box.update.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);

    std::string bytes = bundleBytes(3u << 20);  // more than one read
    std::istringstream body(bytes);
    auto info = box.firmware.receive(body, bytes.size(), "kanri");
    std::string sha = kh::crypto::hex(kh::crypto::sha256(bytes));
    CHECK(info["sha256"] == sha);
    CHECK(info["size"] == std::to_string(bytes.size()));
    CHECK(slurp(box.update + "/bundle.raucb") == bytes);
    CHECK_FALSE(std::filesystem::exists(box.update + "/.bundle.raucb.part"));

    auto request = parseFirmwareFields(slurp(box.update + "/request"));
    CHECK(request["action"] == "check");
    CHECK(request["sha256"] == sha);
    CHECK(request["requestedBy"] == "kanri");
    CHECK(request["id"].size() == 36);

    auto state = box.firmware.state();
    REQUIRE(state.bundle);
    CHECK((*state.bundle)["sha256"] == sha);
    REQUIRE(state.update);
    CHECK((*state.update)["state"] == "waiting");
}

TEST_CASE("a bad upload is refused and leaves nothing behind", "[services][firmware]") {
    Box box;
    SECTION("not a bundle") {
        std::string bytes = "PK\x03\x04 a zip file, not a bundle";
        std::istringstream body(bytes);
        CHECK(errorOf([&] { box.firmware.receive(body, bytes.size(), "kanri"); }) == ErrorId::NotABundle);
    }
    SECTION("the stream ends early") {
        std::string bytes = bundleBytes(1000);
        std::istringstream body(bytes);
        CHECK(errorOf([&] { box.firmware.receive(body, 5000, "kanri"); }) == ErrorId::UploadIncomplete);
    }
    SECTION("over the size limit") {
        std::istringstream body("hsqs");
        CHECK(errorOf([&] { box.firmware.receive(body, (8u << 20) + 1, "kanri"); }) == ErrorId::TooLarge);
    }
    SECTION("no room on the disk") {
        FirmwareUpdates tight{settingsIn(box.dir, uint64_t(1) << 60)};
        std::string bytes = bundleBytes(100);
        std::istringstream body(bytes);
        CHECK(errorOf([&] { tight.receive(body, bytes.size(), "kanri"); }) == ErrorId::NoSpace);
    }
    for (const char* name : {"bundle.raucb", ".bundle.raucb.part", "bundle.info", "request", "request.sent"})
        CHECK_FALSE(std::filesystem::exists(box.update + "/" + name));
    CHECK_FALSE(box.firmware.state().bundle);
}

TEST_CASE("an install is asked for only for the uploaded bundle once its check passed", "[services][firmware]") {
    Box box;
    std::string bytes = bundleBytes(4096);
    std::istringstream body(bytes);
    std::string sha = box.firmware.receive(body, bytes.size(), "kanri")["sha256"];

    // The check is still waiting for the updater.
    CHECK(errorOf([&] { box.firmware.requestInstall(sha, "kanri"); }) == ErrorId::BundleNotVerified);
    // An answer for another request is not this bundle's.
    put(box.updater + "/status", "id=0123456789\naction=check\nstate=valid\nsha256=" + sha + "\n");
    std::filesystem::remove(box.update + "/request");
    CHECK((*box.firmware.state().update)["state"] == "waiting");
    CHECK(errorOf([&] { box.firmware.requestInstall(sha, "kanri"); }) == ErrorId::BundleNotVerified);
    // The updater finds the bundle invalid.
    box.answer("state=invalid\nmessage=rauc info refused the bundle\n", false);
    CHECK((*box.firmware.state().update)["state"] == "invalid");
    CHECK(errorOf([&] { box.firmware.requestInstall(sha, "kanri"); }) == ErrorId::BundleNotVerified);
    // Valid: only this bundle's SHA-256 is accepted.
    box.answer("state=valid\nversion=1.2.3\n", false);
    CHECK(errorOf([&] { box.firmware.requestInstall(std::string(64, 'a'), "kanri"); }) == ErrorId::BundleNotVerified);
    box.firmware.requestInstall(sha, "kanri");
    auto request = parseFirmwareFields(slurp(box.update + "/request"));
    CHECK(request["action"] == "install");
    CHECK(request["sha256"] == sha);
    CHECK((*box.firmware.state().update)["state"] == "waiting");

    // Asked for, not yet taken: no new upload, but a discard withdraws it.
    std::istringstream again(bytes);
    CHECK(errorOf([&] { box.firmware.receive(again, bytes.size(), "kanri"); }) == ErrorId::UpdateBusy);
    box.firmware.discard();
    CHECK_FALSE(std::filesystem::exists(box.update + "/request"));
    CHECK_FALSE(box.firmware.state().bundle);
    CHECK_FALSE(box.firmware.state().update);
}

TEST_CASE("while the updater installs, nothing changes under it", "[services][firmware]") {
    Box box;
    std::string bytes = bundleBytes(4096);
    std::istringstream body(bytes);
    std::string sha = box.firmware.receive(body, bytes.size(), "kanri")["sha256"];
    box.answer("state=valid\n");
    box.firmware.requestInstall(sha, "kanri");
    std::filesystem::remove(box.update + "/request");  // taken; no answer yet
    for (const char* state : {"", "state=checking\n", "state=installing\n", "state=rebooting\n"}) {
        if (*state) box.answer(state, false);
        std::istringstream again(bytes);
        CHECK(errorOf([&] { box.firmware.receive(again, bytes.size(), "kanri"); }) == ErrorId::UpdateBusy);
        CHECK(errorOf([&] { box.firmware.discard(); }) == ErrorId::UpdateBusy);
        CHECK(errorOf([&] { box.firmware.requestInstall(sha, "kanri"); }) == ErrorId::UpdateBusy);
    }
    // The install failed: the bundle may be discarded.
    box.answer("state=install-failed\n", false);
    CHECK((*box.firmware.state().update)["state"] == "install-failed");
    box.firmware.discard();
    CHECK_FALSE(box.firmware.state().bundle);
}

TEST_CASE("after a stop, a bundle is checked again or removed", "[services][firmware]") {
    std::string dir = kh::test::tempDir("firmware");
    std::string update = dir + "/update";
    std::string bytes = bundleBytes(4096);
    {
        FirmwareUpdates firmware{settingsIn(dir)};
        std::istringstream body(bytes);
        firmware.receive(body, bytes.size(), "kanri");
    }
    SECTION("a bundle without its description goes, with a part file") {
        std::filesystem::remove(update + "/bundle.info");
        put(update + "/.bundle.raucb.part", "hsqs...");
        FirmwareUpdates firmware{settingsIn(dir)};
        CHECK_FALSE(std::filesystem::exists(update + "/bundle.raucb"));
        CHECK_FALSE(std::filesystem::exists(update + "/.bundle.raucb.part"));
        CHECK_FALSE(firmware.state().bundle);
    }
    SECTION("a check never asked for is asked for") {
        std::filesystem::remove(update + "/request");
        std::filesystem::remove(update + "/request.sent");
        FirmwareUpdates firmware{settingsIn(dir)};
        CHECK(parseFirmwareFields(slurp(update + "/request"))["action"] == "check");
    }
    SECTION("an interrupted check is asked for again") {
        auto sent = parseFirmwareFields(slurp(update + "/request.sent"));
        std::filesystem::remove(update + "/request");
        put(dir + "/updater/status", "id=" + sent["id"] + "\naction=check\nstate=interrupted\nsha256=" + sent["sha256"] + "\n");
        FirmwareUpdates firmware{settingsIn(dir)};
        auto request = parseFirmwareFields(slurp(update + "/request"));
        CHECK(request["action"] == "check");
        CHECK(request["id"] != sent["id"]);
    }
    SECTION("a valid bundle stays as it is") {
        auto sent = parseFirmwareFields(slurp(update + "/request.sent"));
        std::filesystem::remove(update + "/request");
        put(dir + "/updater/status", "id=" + sent["id"] + "\naction=check\nstate=valid\nsha256=" + sent["sha256"] + "\n");
        FirmwareUpdates firmware{settingsIn(dir)};
        CHECK_FALSE(std::filesystem::exists(update + "/request"));
        CHECK((*firmware.state().update)["state"] == "valid");
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("the update's state reads the updater's status and the release file", "[services][firmware]") {
    Box box;
    put(box.dir + "/release", "KAKEHASHI_VERSION=0.1.0\nKAKEHASHI_BUILT=2026-11-29T00:00:00Z\n");
    // After an install the updater removed the bundle; its story stays while the request is remembered.
    put(box.update + "/request.sent", "id=abcdef0123\naction=install\nsha256=" + std::string(64, 'b') + "\n");
    put(box.updater + "/status", "id=abcdef0123\naction=install\nstate=completed\nstate=forged\nversion=0.1.1\ntarget=B\n");
    auto s = box.firmware.state();
    CHECK(s.available);
    CHECK(s.release["KAKEHASHI_VERSION"] == "0.1.0");
    CHECK_FALSE(s.bundle);
    REQUIRE(s.update);
    CHECK((*s.update)["state"] == "completed");  // the first of two, as the updater reads it
    CHECK((*s.update)["target"] == "B");

    FirmwareUpdates none{FirmwareSettings{"", "", 8u << 20, 0, box.dir + "/release"}};
    CHECK_FALSE(none.available());
    CHECK_FALSE(none.state().update);
    std::istringstream body("hsqs");
    CHECK(errorOf([&] { none.receive(body, 4, "kanri"); }) == ErrorId::NotFound);
}
