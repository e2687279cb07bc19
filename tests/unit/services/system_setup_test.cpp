#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../error_of.hpp"
#include "../temp_dir.hpp"
#include "model/errors.hpp"
#include "services/system_setup.hpp"

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

bool exists(const std::string& path) { return std::filesystem::exists(std::filesystem::symlink_status(path)); }

struct Box {
    kh::test::TempDir tmp;
    std::string requests = tmp.path + "/system";
    std::string helper = tmp.path + "/helper";
    SystemSetup setup{[this] {
        std::filesystem::create_directories(helper);
        return SystemSetupSettings{requests, helper};
    }()};

    FirmwareFields request() { return parseFirmwareFields(slurp(requests + "/request")); }
    // What the root helper does: takes the request (and its password), answers for its id.
    void answer(const std::string& state, const std::string& message) {
        auto sent = parseFirmwareFields(slurp(requests + "/request.sent"));
        std::filesystem::remove(requests + "/request");
        std::filesystem::remove(requests + "/password-" + sent["id"]);
        put(helper + "/status", "at=1796000000\nid=" + sent["id"] + "\naction=" + sent["action"] + "\nstate=" + state +
                                    "\nmessage=" + message + "\n");
    }
};

LanAddress staticLan(std::string address, int prefix, std::string gateway = "", std::vector<std::string> dns = {}) {
    LanAddress lan;
    lan.dhcp = false;
    lan.address = std::move(address);
    lan.prefix = prefix;
    lan.gateway = std::move(gateway);
    lan.dns = std::move(dns);
    return lan;
}
}  // namespace

TEST_CASE("an SMB account's request names it; the password goes into a file of its own, 0600", "[services][system]") {
    Box box;
    std::string id = box.setup.setSmbAccount("uketsuke2", "Hashi-Share-2026", "admin");
    auto r = box.request();
    CHECK(r["id"] == id);
    CHECK(r["action"] == "smb-account-set");
    CHECK(r["name"] == "uketsuke2");
    CHECK(r["requestedBy"] == "admin");
    CHECK(!r["requestedAt"].empty());
    CHECK(slurp(box.requests + "/request").find("Hashi-Share-2026") == std::string::npos);
    CHECK(slurp(box.requests + "/request.sent").find("Hashi-Share-2026") == std::string::npos);
    std::string password = box.requests + "/password-" + id;
    CHECK(slurp(password) == "Hashi-Share-2026");
    struct stat st{};
    REQUIRE(::stat(password.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(box.requests.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("the answer follows the request: waiting, then the helper's status for its id", "[services][system]") {
    Box box;
    CHECK(box.setup.state().available);
    CHECK(!box.setup.state().answer);
    // An answer to an earlier request (another id) is not this one's.
    put(box.helper + "/status", "id=0000aaaa-old\naction=ntp\nstate=done\nmessage=古い\n");
    std::string id = box.setup.setTimeSources({"192.168.1.1", "ntp.nict.jp"}, "admin");
    CHECK(box.request()["servers"] == "192.168.1.1 ntp.nict.jp");
    auto s = box.setup.state();
    REQUIRE(s.answer);
    CHECK((*s.answer)["state"] == "waiting");
    CHECK((*s.answer)["id"] == id);
    CHECK((*s.answer)["action"] == "ntp");

    // Taken but not answered yet: still waiting, and a new request may be written.
    std::filesystem::remove(box.requests + "/request");
    CHECK((*box.setup.state().answer)["state"] == "waiting");

    box.answer("failed", "時刻同期に反映できませんでした");
    s = box.setup.state();
    CHECK((*s.answer)["state"] == "failed");
    CHECK((*s.answer)["message"] == "時刻同期に反映できませんでした");
    CHECK((*s.answer)["id"] == id);
}

TEST_CASE("a second request waits until the helper has taken the first", "[services][system]") {
    Box box;
    std::string first = box.setup.reboot("admin");
    CHECK(errorOf([&] { box.setup.listSmbAccounts("admin"); }) == ErrorId::SystemSetupBusy);
    CHECK(box.request()["id"] == first);
    box.answer("done", "本機を再起動します");
    std::string second = box.setup.listSmbAccounts("admin");
    CHECK(second != first);
    CHECK(box.request()["action"] == "smb-accounts-list");
}

TEST_CASE("the helper's view of the settings is handed on as it wrote it", "[services][system]") {
    Box box;
    CHECK(box.setup.state().current.empty());
    put(box.helper + "/current", "smb.accounts=recept uketsuke2 \nnetwork.mode=static\nnetwork.address=192.168.10.5\n"
                                 "network.prefix=24\nfirewall.ranges=192.168.10.0/24 \n");
    auto c = box.setup.state().current;
    CHECK(c["smb.accounts"] == "recept uketsuke2 ");
    CHECK(c["network.address"] == "192.168.10.5");
    CHECK(c["firewall.ranges"] == "192.168.10.0/24 ");
}

TEST_CASE("the LAN address is written as asked, and refused in Japanese when it cannot work", "[services][system]") {
    Box box;
    box.setup.setLanAddress(staticLan("192.168.10.5", 24, "192.168.10.1", {"192.168.10.1", "8.8.8.8"}), "admin");
    auto r = box.request();
    CHECK(r["action"] == "network");
    CHECK(r["mode"] == "static");
    CHECK(r["address"] == "192.168.10.5");
    CHECK(r["prefix"] == "24");
    CHECK(r["gateway"] == "192.168.10.1");
    CHECK(r["dns"] == "192.168.10.1 8.8.8.8");

    CHECK(lanAddressProblem(LanAddress{}).empty());  // DHCP
    CHECK(lanAddressProblem(staticLan("10.0.0.9", 8)).empty());
    CHECK(lanAddressProblem(staticLan("192.168.1.300", 24)).find("IP アドレスの形式") != std::string::npos);
    CHECK(!lanAddressProblem(staticLan("192.168.01.3", 24)).empty());  // no leading zeros
    CHECK(!lanAddressProblem(staticLan("192.168.1", 24)).empty());
    CHECK(!lanAddressProblem(staticLan("192.168.1.5 ", 24)).empty());
    CHECK(lanAddressProblem(staticLan("192.168.1.5", 31)).find("プレフィックス長") != std::string::npos);
    CHECK(!lanAddressProblem(staticLan("192.168.1.5", 7)).empty());
    CHECK(lanAddressProblem(staticLan("192.168.1.0", 24)).find("ネットワークまたはブロードキャスト") != std::string::npos);
    CHECK(!lanAddressProblem(staticLan("192.168.1.255", 24)).empty());
    CHECK(!lanAddressProblem(staticLan("127.0.0.5", 8)).empty());
    CHECK(!lanAddressProblem(staticLan("224.0.0.5", 8)).empty());
    CHECK(lanAddressProblem(staticLan("192.168.1.5", 24, "192.168.2.1")).find("同じネットワーク") != std::string::npos);
    CHECK(!lanAddressProblem(staticLan("192.168.1.5", 24, "192.168.1.5")).empty());
    CHECK(!lanAddressProblem(staticLan("192.168.1.5", 24, "", {"1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"})).empty());
    CHECK(lanAddressProblem(staticLan("192.168.1.5", 24, "", {"dns.example"})).find("DNS") != std::string::npos);

    CHECK(errorOf([&] { box.setup.setLanAddress(staticLan("192.168.1.300", 24), "admin"); }) == ErrorId::InvalidField);
}

TEST_CASE("time sources: addresses and host names, nothing that could become another chrony line", "[services][system]") {
    CHECK(timeSourcesProblem({}).empty());
    CHECK(timeSourcesProblem({"192.168.1.1", "ntp.nict.jp", "time-1.clinic.lan"}).empty());
    CHECK(!timeSourcesProblem({"192.168.1.300"}).empty());  // digits and dots: an address or nothing
    CHECK(!timeSourcesProblem({"ntp.nict.jp iburst\nallow"}).empty());
    CHECK(!timeSourcesProblem({"-bad.example"}).empty());
    CHECK(!timeSourcesProblem({"a..b"}).empty());
    CHECK(!timeSourcesProblem({"$(reboot)"}).empty());
    CHECK(!timeSourcesProblem({"a", "b", "c", "d", "e", "f"}).empty());
}

TEST_CASE("LAN ranges: network addresses only, and never one that shuts out the browser asking", "[services][system]") {
    CHECK(lanRangesProblem({}, "192.168.1.20").empty());  // none: the whole LAN
    CHECK(lanRangesProblem({"192.168.1.0/24", "10.0.0.0/8"}, "192.168.1.20").empty());
    CHECK(lanRangesProblem({"192.168.1.0/24"}, "::ffff:192.168.1.20").empty());
    CHECK(lanRangesProblem({"192.168.2.0/24"}, "127.0.0.1").empty());  // loopback always reaches the box
    CHECK(lanRangesProblem({"192.168.1.5/24"}, "192.168.1.20").find("ネットワークのアドレス") != std::string::npos);
    CHECK(lanRangesProblem({"192.168.1.0/33"}, "192.168.1.20").find("形式") != std::string::npos);
    CHECK(!lanRangesProblem({"192.168.1.0"}, "192.168.1.20").empty());
    CHECK(!lanRangesProblem({"192.168.1.0/24;flush ruleset"}, "192.168.1.20").empty());
    CHECK(lanRangesProblem({"192.168.2.0/24"}, "192.168.1.20").find("192.168.1.20") != std::string::npos);
    std::vector<std::string> many(17, "10.0.0.0/8");
    CHECK(!lanRangesProblem(many, "10.1.1.1").empty());
}

TEST_CASE("SMB account names and passwords", "[services][system]") {
    CHECK(smbAccountNameProblem("recept").empty());
    CHECK(smbAccountNameProblem("uketsuke_2-b").empty());
    CHECK(!smbAccountNameProblem("").empty());
    CHECK(!smbAccountNameProblem("Recept").empty());
    CHECK(!smbAccountNameProblem("2recept").empty());
    CHECK(!smbAccountNameProblem("-o").empty());
    CHECK(!smbAccountNameProblem("a b").empty());
    CHECK(!smbAccountNameProblem(std::string(33, 'a')).empty());
    CHECK(smbPasswordProblem("Hashi-Share-2026").empty());
    CHECK(smbPasswordProblem("短いけど八文字以上").empty());
    CHECK(!smbPasswordProblem("short").empty());
    CHECK(!smbPasswordProblem("line\nbreak!").empty());

    Box box;
    CHECK(errorOf([&] { box.setup.setSmbAccount("root me", "Hashi-Share-2026", "admin"); }) == ErrorId::InvalidField);
    CHECK(errorOf([&] { box.setup.setSmbAccount("recept", "short", "admin"); }) == ErrorId::InvalidField);
    CHECK(!exists(box.requests + "/request"));
    CHECK(std::filesystem::is_empty(box.requests));  // a refused request leaves no password behind
}

TEST_CASE("a password whose request never reached the helper is removed at the next start", "[services][system]") {
    kh::test::TempDir tmp;
    SystemSetupSettings settings{tmp.path + "/system", tmp.path + "/helper"};
    std::filesystem::create_directories(settings.requestDir);
    put(settings.requestDir + "/password-1234abcd", "Hashi-Share-2026");
    SystemSetup setup(settings);
    CHECK(!exists(settings.requestDir + "/password-1234abcd"));
}

TEST_CASE("without folders (a package install) nothing is asked, and the state says so", "[services][system]") {
    SystemSetup setup(SystemSetupSettings{});
    CHECK(!setup.available());
    CHECK(!setup.state().available);
    CHECK(errorOf([&] { setup.reboot("admin"); }) == ErrorId::NotFound);
}
