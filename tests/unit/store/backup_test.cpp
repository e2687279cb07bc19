#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include "store_test_support.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <functional>
#include <map>
#include <sstream>

#include "base/files.hpp"
#include "crypto/totp.hpp"
#include "model/errors.hpp"
#include "store/api_clients.hpp"
#include "store/backup.hpp"
#include "store/eligibility_cache.hpp"
#include "store/sessions.hpp"
#include "store/settings.hpp"
#include "store/users.hpp"

using kh::test::errorOf;
using namespace kh::store;
using namespace kh::store::test;
using kh::model::ErrorId;
using kh::model::KakehashiError;

namespace {
constexpr int64_t kEnrolledAt = 1700000000;
const std::string kAdminPassword = "hashi-no-kakekata-42";
const std::string kOperatorPassword = "mado-no-hito-2026";

// A box's folders, as the configuration names them.
struct Box {
    std::string dir = tempDir();
    std::string state = dir + "/state", keys = dir + "/keys", db = state + "/kakehashi.db";
    Box() { ::mkdir(state.c_str(), 0700); }
    std::unique_ptr<Store> open() { return std::make_unique<Store>(db, keys); }
    void writeFile(const std::string& relative, const std::string& bytes) {
        std::string path = state + "/" + relative;
        ::mkdir(path.substr(0, path.rfind('/')).c_str(), 0700);
        kh::base::writeFileDurably(path, bytes, 0600);
    }
    bool exists(const std::string& relative) const { return ::access((state + "/" + relative).c_str(), F_OK) == 0; }
};

// What box A holds, to be found again on box B.
struct Original {
    std::string totpSecret, recoveryCode, apiToken, cacheIndex;
};

Original fillOriginal(Box& box) {
    auto store = box.open();
    Settings settings(*store);
    settings.set("facility.name", "かけはし診療所", "admin");
    settings.set("facility.name", "かけはし内科クリニック", "admin");
    settings.set("upstream.baseUrl", "https://central.example:8443", "admin");
    Users users(*store);
    auto admin = users.create("admin", "管理者", Role::Administrator, kAdminPassword, "setup");
    users.create("uketsuke", "受付", Role::Operator, kOperatorPassword, "admin");
    Original o;
    o.totpSecret = users.beginTotpEnrolment(admin.id);
    auto codes = users.confirmTotpEnrolment(admin.id, kh::crypto::totpCode(o.totpSecret, kEnrolledAt), kEnrolledAt);
    REQUIRE(codes);
    o.recoveryCode = codes->front();
    o.apiToken = ApiClients(*store).issue("rececon-1", {"192.168.10.0/24"});
    o.cacheIndex = store->key().blindIndex({"01130012", "記号", "1234", "01", "19800101"});
    EligibilityCache(*store).put(o.cacheIndex, {"<result>有効</result>", kEnrolledAt});
    box.writeFile("tls/client.crt", "-----BEGIN CERTIFICATE-----\nA\n");
    box.writeFile("tls/client.key", std::string("key\0bytes", 9));
    box.writeFile("admin-tls/admin.crt", "admin certificate");
    return o;
}

// Box B before the restore: its own key, an account with a session, a journal row, a stale TLS file.
void fillOther(Box& box) {
    auto store = box.open();
    Users users(*store);
    auto other = users.create("other", "別の管理者", Role::Administrator, "betsu-no-kanrisha-7", "setup");
    Sessions(*store).open(other.id, true, "127.0.0.1", nowSeconds());
    Settings(*store).set("facility.name", "仮の名前", "other");
    auto conn = store->db().lock();
    conn.prepare("INSERT INTO journal(at, direction, channel, kind, correlation, payload_sealed) VALUES(1,'in','http','x','c',?)")
        .bindBlob(1, store->key().seal("payload", "journal:1"))
        .run();
    box.writeFile("tls/stale.crt", "from before");
}

int64_t rows(Store& store, const std::string& table) {
    auto conn = store.db().lock();
    auto st = conn.prepare("SELECT COUNT(*) FROM " + table);
    st.step();
    return st.int64(0);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}
}  // namespace

TEST_CASE("a backup restored on another box brings back accounts, second factors, settings, tokens and cache",
          "[store][backup]") {
    Box a, b;
    Original o = fillOriginal(a);
    CollectedBackup backup;
    {
        auto store = a.open();
        backup = collectBackup(*store, a.keys, a.state, true);
    }
    CHECK(backup.summary.users == 2);
    CHECK(backup.summary.settings == 2);
    CHECK(backup.summary.apiClients == 1);
    CHECK(backup.summary.cacheEntries == 1);
    CHECK(backup.summary.createdAt.size() == 25);
    CHECK(backup.archive.find(kOperatorPassword) == std::string::npos);
    CHECK(backup.archive.find("有効") == std::string::npos);  // the cached answer stays sealed

    fillOther(b);
    auto staged = stageRestore(backup.archive, b.state, b.keys);
    CHECK(staged.replacesDataKey);
    CHECK(staged.users == 2);
    struct stat st {};
    REQUIRE(::stat(restorePendingPath(b.state).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    auto applied = applyStagedRestore(b.db, b.keys, b.state);
    REQUIRE(applied);
    CHECK(applied->cacheEntries == 1);
    CHECK_FALSE(b.exists("restore-pending.json"));
    CHECK(readFile(b.keys + "/data.key") == readFile(a.keys + "/data.key"));
    CHECK_FALSE(applyStagedRestore(b.db, b.keys, b.state));  // applied once

    auto store = b.open();
    Users users(*store);
    CHECK(users.count() == 2);
    CHECK_FALSE(users.find("other"));
    const std::string here = "192.0.2.10";
    auto login = users.checkPassword("admin", kAdminPassword, here, kEnrolledAt + 60);
    REQUIRE(login.check == Users::PasswordCheck::Ok);
    CHECK(login.user->totpEnabled);
    // The sealed TOTP secret opens with the restored key; so does the keyed hash of a recovery code.
    auto accepted = [&](const std::string& code, int64_t at) {
        return users.checkSecondFactor(login.user->id, code, here, at).check == Users::SecondFactorCheck::Accepted;
    };
    CHECK(accepted(kh::crypto::totpCode(o.totpSecret, kEnrolledAt + 60), kEnrolledAt + 60));
    CHECK(accepted(o.recoveryCode, kEnrolledAt + 90));
    CHECK(users.find("uketsuke")->role == Role::Operator);
    CHECK(users.checkPassword("uketsuke", kOperatorPassword, here, kEnrolledAt).check == Users::PasswordCheck::Ok);
    CHECK(rows(*store, "admin_sessions") == 0);

    Settings settings(*store);
    CHECK(settings.get("facility.name")->value == "かけはし内科クリニック");
    auto history = settings.history("facility.name");
    REQUIRE(history.size() == 2);
    CHECK(history[1].value == "かけはし診療所");
    CHECK(history[1].updatedBy == "admin");

    auto client = ApiClients(*store).authenticate(o.apiToken);
    REQUIRE(client);
    CHECK(client->name == "rececon-1");
    CHECK(client->allowCidrs == std::vector<std::string>{"192.168.10.0/24"});
    auto cached = EligibilityCache(*store).get(o.cacheIndex);
    REQUIRE(cached);
    CHECK(cached->result == "<result>有効</result>");

    // B's own patient data was sealed with B's old key: it could never be opened again, so it is gone.
    CHECK(rows(*store, "journal") == 0);
    CHECK(readFile(b.state + "/tls/client.key") == std::string("key\0bytes", 9));
    CHECK(readFile(b.state + "/admin-tls/admin.crt") == "admin certificate");
    CHECK_FALSE(b.exists("tls/stale.crt"));
}

TEST_CASE("a box restored from its own backup keeps its key and its other data", "[store][backup]") {
    Box a;
    fillOriginal(a);
    std::string archive;
    {
        auto store = a.open();
        archive = collectBackup(*store, a.keys, a.state, false).archive;
        Settings(*store).set("facility.name", "後から変えた名前", "admin");
        auto conn = store->db().lock();
        conn.prepare("INSERT INTO journal(at, direction, channel, kind, correlation) VALUES(1,'in','http','x','c')").run();
    }
    std::string key = readFile(a.keys + "/data.key");
    CHECK_FALSE(stageRestore(archive, a.state, a.keys).replacesDataKey);
    auto applied = applyStagedRestore(a.db, a.keys, a.state);
    REQUIRE(applied);
    CHECK(applied->cacheEntries == 0);
    CHECK(readFile(a.keys + "/data.key") == key);
    auto store = a.open();
    CHECK(Settings(*store).get("facility.name")->value == "かけはし内科クリニック");
    CHECK(rows(*store, "journal") == 1);
    CHECK(rows(*store, "eligibility_cache") == 1);  // not in this backup: left as it was
}

namespace {
// The archive as a release before migration 0017 made it: the recovery codes' hashes comma-joined in
// admin_users.recovery_codes, and no table of their own.
std::string withRecoveryCodesJoined(const std::string& archive) {
    using Poco::JSON::Array;
    using Poco::JSON::Object;
    auto doc = Poco::JSON::Parser().parse(archive).extract<Object::Ptr>();
    auto tables = doc->getObject("tables");
    std::map<int64_t, std::string> joined;
    auto codes = tables->getObject("admin_recovery_codes")->getArray("rows");
    for (size_t i = 0; i < codes->size(); ++i) {
        auto row = codes->getArray(unsigned(i));
        std::string& list = joined[row->getElement<Poco::Int64>(0)];
        list += (list.empty() ? "" : ",") + row->getElement<std::string>(1);
    }
    tables->remove("admin_recovery_codes");
    auto users = tables->getObject("admin_users");
    auto columns = users->getArray("columns");
    size_t id = 0, legacy = 0;
    for (size_t i = 0; i < columns->size(); ++i) {
        if (columns->getElement<std::string>(unsigned(i)) == "id") id = i;
        if (columns->getElement<std::string>(unsigned(i)) == "recovery_codes") legacy = i;
    }
    REQUIRE(legacy != 0);
    auto userRows = users->getArray("rows");
    for (size_t i = 0; i < userRows->size(); ++i) {
        auto row = userRows->getArray(unsigned(i));
        row->set(unsigned(legacy), joined[row->getElement<Poco::Int64>(unsigned(id))]);
    }
    std::ostringstream out;
    doc->stringify(out);
    return out.str();
}
}  // namespace

TEST_CASE("a backup made before recovery codes had their own table restores them", "[store][backup]") {
    Box a, b;
    Original o = fillOriginal(a);
    std::string archive;
    {
        auto store = a.open();
        archive = withRecoveryCodesJoined(collectBackup(*store, a.keys, a.state, false).archive);
    }
    CHECK(archive.find("admin_recovery_codes") == std::string::npos);
    fillOther(b);
    stageRestore(archive, b.state, b.keys);
    REQUIRE(applyStagedRestore(b.db, b.keys, b.state));
    auto store = b.open();
    Users users(*store);
    auto admin = users.find("admin");
    REQUIRE(admin);
    CHECK(admin->recoveryCodesLeft == 10);
    CHECK(users.checkSecondFactor(admin->id, o.recoveryCode, "192.0.2.10", kEnrolledAt + 90).check ==
          Users::SecondFactorCheck::Accepted);
    CHECK(admin->recoveryCodesLeft == 10);
    CHECK(users.find("admin")->recoveryCodesLeft == 9);
}

TEST_CASE("anything but a Kakehashi backup this version knows is refused before it is staged", "[store][backup]") {
    Box a;
    fillOriginal(a);
    std::string archive;
    {
        auto store = a.open();
        archive = collectBackup(*store, a.keys, a.state, false).archive;
    }
    for (const std::string& bad :
         {std::string("not json"), std::string("{}"), archive.substr(0, archive.size() - 1), archive + "x",
          replaced(archive, "kakehashi-backup-1", "kakehashi-backup-2"),
          replaced(archive, "\"schemaVersion\":", "\"schemaVersion\":9999"),
          replaced(archive, "\"settings_history\":", "\"unknown_table\":"),
          replaced(archive, "\"tls/client.key\"", "\"../../etc/passwd\""),
          replaced(archive, "\"dataKey\":\"", "\"dataKey\":\"AAAA")}) {
        CHECK(errorOf([&] { stageRestore(bad, a.state, a.keys); }) == ErrorId::InvalidField);
        CHECK_FALSE(a.exists("restore-pending.json"));
    }
}

TEST_CASE("a restore that cannot be applied leaves the box as it was and stays staged", "[store][backup]") {
    Box a, b;
    fillOriginal(a);
    std::string archive;
    {
        auto store = a.open();
        archive = collectBackup(*store, a.keys, a.state, true).archive;
    }
    fillOther(b);
    std::string key = readFile(b.keys + "/data.key");
    // A column this version's schema does not have: found only when the rows go in.
    stageRestore(replaced(archive, "\"display_name\"", "\"nickname\""), b.state, b.keys);
    CHECK_THROWS_WITH(applyStagedRestore(b.db, b.keys, b.state), Catch::Contains("nickname"));
    CHECK(b.exists("restore-pending.json"));
    CHECK(readFile(b.keys + "/data.key") == key);
    CHECK(b.exists("tls/stale.crt"));
    auto store = b.open();
    CHECK(Users(*store).find("other"));
    CHECK(rows(*store, "admin_sessions") == 1);
    CHECK(rows(*store, "journal") == 1);
    CHECK(Settings(*store).get("facility.name")->value == "仮の名前");
}
