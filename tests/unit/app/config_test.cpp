// Tests of the boot configuration (config.cpp): a file with nothing but the box's identity starts with the
// documented defaults; a value of the wrong type, a file that is not JSON or that cannot be read stops the
// start naming what is wrong; checkConfig refuses what would not work, in Japanese first; setupPending lists
// what the box still needs to reach the central system, which the web admin's setup may still supply.
#include <catch2/catch.hpp>

#include <fstream>

#include "../temp_dir.hpp"
#include "app/config.hpp"

using namespace kh;

namespace {
struct Folder {
    test::TempDir dir;
    std::string write(const std::string& json, const std::string& name = "kakehashi.json") {
        std::string path = dir.path + "/" + name;
        std::ofstream(path) << json;
        return path;
    }
    app::Config load(const std::string& json) { return app::loadConfig(write(json)); }
};

std::string messageOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    FAIL("nothing was refused");
    return "";
}

bool mentions(const std::vector<std::string>& problems, const std::string& part) {
    for (const auto& p : problems)
        if (p.find(part) != std::string::npos) return true;
    return false;
}

// A usable configuration of the central-v1 profile, its certificate files present.
app::Config usable(Folder& f) {
    auto c = f.load(R"({"institutionCode": "1312345679", "upstream": {"baseUrl": "https://central.example.jp"}})");
    c.upstream.caFile = f.write("ca", "ca.crt");
    c.upstream.certFile = f.write("cert", "client.crt");
    c.upstream.keyFile = f.write("key", "client.key");
    return c;
}
}  // namespace

TEST_CASE("a file with the box's identity alone starts with the documented defaults", "[app][config]") {
    Folder f;
    auto c = f.load(R"({"institutionCode": "1312345679", "stateDir": "/srv/kakehashi"})");
    CHECK(c.institutionCode == "1312345679");
    CHECK(c.stateDir == "/srv/kakehashi");
    CHECK(c.keyDir == "/etc/kakehashi/keys");
    CHECK(c.http.listen == "127.0.0.1:8080");  // only from the box itself until set
    CHECK(c.upstreamProfile == "central-v1");
    CHECK_FALSE(c.fileDropEnabled);             // no "fileDrop" section: no file channel
    CHECK(c.fileDrop.root == "/srv/kakehashi/share");
    CHECK(c.pluginShareRoot == c.fileDrop.root);
    CHECK_FALSE(c.pluginsEnabled);
    CHECK_FALSE(c.adminEnabled);
    CHECK(c.adminConfirmSeconds == 90);
    CHECK(c.auditRetentionDays == 1826);
    CHECK(c.visitsPrefetchAt == "18:00");
    CHECK(c.visitsMorningAt == "07:00");
    CHECK(c.freshSeconds == -1);
    CHECK(c.batchChunkSize == 1000);
}

TEST_CASE("sections override the defaults; an admin section turns the web admin on, HTTPS on 8444", "[app][config]") {
    Folder f;
    auto c = f.load(R"({"institutionCode": "1312345679", "stateDir": "/srv/k",
        "fileDrop": {"root": "/srv/share", "resultEncoding": "shift_jis", "faceConsumers": ["rececon", "chart"]},
        "upstream": {"profile": "terminal", "terminal": {"url": "smb://terminal/share", "concurrency": 4}},
        "admin": {"confirmSeconds": 30, "signIn": {"burst": 3, "lockFailures": 4}},
        "plugins": {"root": "/opt/plugins", "order": ["csv-sjis"], "settings": {"csv-sjis": {"folder": "in"}}},
        "retention": {"auditDays": 0, "patientDataDays": 3}})");
    CHECK(c.fileDropEnabled);
    CHECK(c.fileDrop.root == "/srv/share");
    CHECK(c.fileDrop.resultEncoding == "shift_jis");
    CHECK(c.faceConsumers == std::vector<std::string>{"rececon", "chart"});
    CHECK(c.upstreamProfile == "terminal");
    CHECK(c.terminal.url == "smb://terminal/share");
    CHECK(c.terminal.concurrency == 4);
    CHECK(c.adminEnabled);
    CHECK(c.admin.listen == "0.0.0.0:8444");
    CHECK(c.admin.workerThreads == 8);
    CHECK(c.adminConfirmSeconds == 30);
    CHECK(c.signInThrottle.burst == 3);
    CHECK(c.signInLockout.maxFailures == 4);
    CHECK(c.pluginsEnabled);
    CHECK(c.plugins.order == std::vector<std::string>{"csv-sjis"});
    CHECK(c.plugins.settings.at("csv-sjis") == R"({"folder":"in"})");
    CHECK(c.pluginShareRoot == "/srv/share");  // the file channel's root
    CHECK(c.auditRetentionDays == 0);
    CHECK(c.retention.patientDataDays == 3);
}

TEST_CASE("a file that cannot be read, is not JSON or has a value of the wrong type names the fault", "[app][config]") {
    Folder f;
    CHECK(messageOf([&] { app::loadConfig(f.dir.path + "/missing.json"); }).find("cannot read configuration file") != std::string::npos);
    CHECK(messageOf([&] { f.load("institutionCode = 1312345679"); }).find("is not a JSON object") != std::string::npos);
    CHECK(messageOf([&] { f.load(R"({"http": {"threads": "many"}})"); }) == "setting 'threads' has the wrong type");
    CHECK(messageOf([&] { f.load(R"({"fileDrop": {"faceConsumers": "rececon"}})"); }) ==
          "setting 'faceConsumers' must be a list of strings");
    CHECK(messageOf([&] { f.load(R"({"admin": {"signIn": {"lockSeconds": 0}}})"); }) ==
          "setting 'admin.signIn.lockSeconds' must be 1 or more");
}

TEST_CASE("a usable configuration has no problems", "[app][config]") {
    Folder f;
    auto c = usable(f);
    CHECK(app::setupPending(c).empty());
    CHECK(app::checkConfig(c).empty());
}

TEST_CASE("what would not work is refused, Japanese first", "[app][config]") {
    Folder f;
    auto check = [&](void (*change)(app::Config&), const std::string& expected) {
        auto c = usable(f);
        change(c);
        auto problems = app::checkConfig(c);
        INFO(expected);
        CHECK(mentions(problems, expected));
    };
    check([](app::Config& c) { c.logLevel = "verbose"; }, "logLevel: debug | info | warn | error");
    check([](app::Config& c) { c.upstreamProfile = "direct"; }, "upstream.profile: central-v1 または terminal を指定してください");
    check([](app::Config& c) { c.batchChunkSize = 0; }, "batch.chunkSize: 1..10000");
    check([](app::Config& c) { c.fileDrop.resultEncoding = "latin1"; }, "fileDrop.resultEncoding: request（要求と同じ）");
    check([](app::Config& c) { c.http.workerThreads = 1; }, "http.threads: 2..1024");
    check([](app::Config& c) { c.retention.patientDataDays = 100; }, "retention.patientDataDays: 1..recordDays (1 日以上、recordDays 以下)");
    check([](app::Config& c) { c.retention.cacheDays = 400; }, "retention.cacheDays: 1..366");
    check([](app::Config& c) { c.folderRetention.quarantineDays = 0; }, "retention.resultFileDays / quarantineDays: 1 日以上");
    check([](app::Config& c) { c.auditRetentionDays = 365; }, "retention.auditDays: 監査ログは法定の記録のため5年（1826日）以上");
    check([](app::Config& c) { c.firmware.updateDir = "updates"; }, "firmware.updateDir: 絶対パスで指定してください");
    check([](app::Config& c) { c.system.requestDir = "system"; }, "system.requestDir: 絶対パスで指定してください");
    check([](app::Config& c) { c.system.requestDir = "/var/lib/kakehashi/system"; }, "system.statusDir: 絶対パスで指定してください");
    check([](app::Config& c) { c.http.certFile = "/etc/kakehashi/lan.crt"; }, "http.certFile / http.keyFile: HTTPS には両方が必要です");
    check([](app::Config& c) {
        c.http.certFile = "/nonexistent/lan.crt";
        c.http.keyFile = "/nonexistent/lan.key";
    }, "http.certFile: ファイルが読めません");
    // The legal record may be kept for ever.
    auto c = usable(f);
    c.auditRetentionDays = 0;
    CHECK(app::checkConfig(c).empty());
}

TEST_CASE("what the box still needs for the central system stops it without the web admin, not with it",
          "[app][config]") {
    Folder f;
    auto c = f.load(R"({"institutionCode": "1312345678"})");  // wrong check digit, no upstream at all
    auto pending = app::setupPending(c);
    CHECK(mentions(pending, "institutionCode: 医療機関等コードは10桁で検証番号が正しい必要があります"));
    CHECK(mentions(pending, "upstream.baseUrl: https:// のURLを指定してください"));
    CHECK(mentions(pending, "upstream.caFile: ファイルが読めません"));
    CHECK(mentions(pending, "upstream.keyFile: ファイルが読めません"));
    CHECK(mentions(app::checkConfig(c), "institutionCode:"));
    c.adminEnabled = true;  // the web admin's setup supplies them: the box starts and waits
    CHECK_FALSE(mentions(app::checkConfig(c), "institutionCode:"));
    CHECK(app::setupPending(c).size() == pending.size());
}

TEST_CASE("the terminal profile needs only the terminal's share, and checks it once named", "[app][config]") {
    Folder f;
    auto c = f.load(R"({"institutionCode": "1312345679", "upstream": {"profile": "terminal"}})");
    auto pending = app::setupPending(c);
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].find("upstream.terminal.url: 資格確認端末の共有フォルダ") == 0);
    c.terminal.url = "smb://terminal/share";
    CHECK(app::setupPending(c).empty());
    CHECK(mentions(app::checkConfig(c), "upstream.terminal.user: 端末の共有フォルダに接続するユーザー名を指定してください"));
    c.terminal.user = "kakehashi";
    CHECK(app::checkConfig(c).empty());
    c.terminal.concurrency = 0;
    CHECK_FALSE(app::checkConfig(c).empty());  // the share's own settings are checked once it is named
}
