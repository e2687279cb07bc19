// Where the keys come from and who may reach them: the key folder's and files' mode and owner, systemd's
// credential folder, and the refusals that keep a new key from orphaning a store.
#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <string>

#include "crypto/primitives.hpp"
#include "store/data_key.hpp"
#include "store/store.hpp"

using namespace kh::store;
using namespace kh::store::test;
using Catch::Matchers::Contains;

namespace {

// $CREDENTIALS_DIRECTORY as systemd sets it for a unit with LoadCredentialEncrypted=, for one scope.
struct Credentials {
    explicit Credentials(const std::string& dir) { setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1); }
    ~Credentials() { unsetenv("CREDENTIALS_DIRECTORY"); }
    Credentials(const Credentials&) = delete;
    Credentials& operator=(const Credentials&) = delete;
};

void write(const std::string& path, const std::string& bytes, mode_t mode) {
    std::ofstream(path, std::ios::binary) << bytes;
    REQUIRE(chmod(path.c_str(), mode) == 0);
}

bool exists(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0;
}

// A credential folder as systemd lays it out: the keys systemd decrypted, read-only.
std::string credentialFolder(const std::string& dir, const std::string& dataKey, const std::string& auditKey) {
    std::string creds = dir + "/credentials";
    REQUIRE(mkdir(creds.c_str(), 0700) == 0);
    write(creds + "/data.key", dataKey, 0400);
    write(creds + "/audit.key", auditKey, 0400);
    REQUIRE(chmod(creds.c_str(), 0500) == 0);
    return creds;
}

}  // namespace

TEST_CASE("a key folder open to group or others is refused, naming it, before any key is read", "[store][keys]") {
    auto dir = tempDir();
    std::string keys = dir + "/keys";
    DataKey::loadOrCreate(keys);
    REQUIRE(chmod(keys.c_str(), 0750) == 0);
    CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains("鍵フォルダー " + keys) && Contains("chmod 700") &&
                                                      Contains("the key folder " + keys + " is open to group or others (mode 0750)"));
    CHECK_THROWS_WITH(AuditKey::loadOrCreate(keys), Contains("chmod 700"));
    CHECK_THROWS_WITH(Store(dir + "/k.db", keys), Contains("chmod 700"));
    CHECK_THROWS_WITH(DataKey::currentBytes(keys), Contains("chmod 700"));  // a backup would carry it
    REQUIRE(chmod(keys.c_str(), 0701) == 0);                                 // even search access alone
    CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains("(mode 0701)"));
    REQUIRE(chmod(keys.c_str(), 0700) == 0);
    CHECK_NOTHROW(DataKey::loadOrCreate(keys));
}

TEST_CASE("a group-readable folder is refused before a first key is made in it", "[store][keys]") {
    auto dir = tempDir();
    std::string keys = dir + "/keys";
    REQUIRE(mkdir(keys.c_str(), 0755) == 0);
    REQUIRE(chmod(keys.c_str(), 0755) == 0);
    CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains("(mode 0755)"));
    CHECK_FALSE(exists(keys + "/data.key"));
}

TEST_CASE("a key file open to others, a link or a file of another user is refused", "[store][keys]") {
    auto dir = tempDir();
    std::string keys = dir + "/keys";
    auto key = DataKey::loadOrCreate(keys);
    std::string path = keys + "/data.key";
    REQUIRE(chmod(path.c_str(), 0640) == 0);
    CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains("鍵ファイル " + path) && Contains("chmod 600") && Contains("(mode 0640)"));
    REQUIRE(chmod(path.c_str(), 0600) == 0);

    REQUIRE(rename(path.c_str(), (dir + "/elsewhere.key").c_str()) == 0);
    REQUIRE(symlink((dir + "/elsewhere.key").c_str(), path.c_str()) == 0);
    CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains("symbolic link") && Contains(path));
    REQUIRE(unlink(path.c_str()) == 0);
    REQUIRE(rename((dir + "/elsewhere.key").c_str(), path.c_str()) == 0);

    if (geteuid() == 0) {  // only root can hand a file to another user
        REQUIRE(chown(path.c_str(), 4242, 4242) == 0);
        CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains("the key file " + path + " is owned by uid 4242"));
        REQUIRE(chown(path.c_str(), 0, 0) == 0);
        REQUIRE(chown(keys.c_str(), 4242, 4242) == 0);
        CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains("鍵フォルダー " + keys + " の所有者") &&
                                                          Contains("the key folder " + keys + " is owned by uid 4242"));
        REQUIRE(chown(keys.c_str(), 0, 0) == 0);
    }
    auto again = DataKey::loadOrCreate(keys);
    CHECK(again.open(key.seal("x", "a"), "a") == "x");
}

TEST_CASE("with systemd's credentials the keys are read there and nothing is written to the key folder", "[store][keys]") {
    auto dir = tempDir();
    std::string keys = dir + "/keys";
    std::string dataKey = kh::crypto::randomBytes(DataKey::kBytes), auditKey = kh::crypto::randomBytes(32);
    Credentials env(credentialFolder(dir, dataKey, auditKey));
    REQUIRE(keysFromCredentials());
    {
        Store store(dir + "/k.db", keys);
        CHECK(store.key().holds(dataKey));
        CHECK(store.auditKey().tag("row") == AuditKey(auditKey).tag("row"));
    }
    CHECK_FALSE(exists(keys));  // no folder, no raw key
    CHECK(DataKey::currentBytes(keys) == std::optional<std::string>(dataKey));

    // The helper's key folder (its note in it) is checked like any other.
    REQUIRE(mkdir(keys.c_str(), 0700) == 0);
    write(keys + "/sealed", "sealed by kakehashi-keys\n", 0600);
    CHECK_NOTHROW(DataKey::loadOrCreate(keys));
    REQUIRE(chmod(keys.c_str(), 0770) == 0);
    CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains("is open to group or others"));
    REQUIRE(chmod(keys.c_str(), 0700) == 0);
    CHECK_FALSE(exists(keys + "/data.key"));
    CHECK_FALSE(exists(keys + "/audit.key"));
}

TEST_CASE("a credential folder without a key is refused, never answered with a new key", "[store][keys]") {
    auto dir = tempDir();
    std::string keys = dir + "/keys";
    std::string creds = dir + "/credentials";
    REQUIRE(mkdir(creds.c_str(), 0700) == 0);
    write(creds + "/audit.key", kh::crypto::randomBytes(32), 0400);
    Credentials env(creds);
    CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains(creds + "/data.key") && Contains("no new key is made") &&
                                                      Contains("封印されたデータ鍵"));
    CHECK_THROWS_WITH(Store(dir + "/k.db", keys), Contains("LoadCredentialEncrypted=data.key"));
    CHECK_FALSE(exists(keys));
    write(creds + "/data.key", "short", 0400);
    CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains(creds + "/data.key is damaged"));
    CHECK(DataKey::currentBytes(keys) == std::nullopt);
}

TEST_CASE("sealed keys are not replaced by a process started without the credentials", "[store][keys]") {
    auto dir = tempDir();
    std::string keys = dir + "/keys";
    REQUIRE(mkdir(keys.c_str(), 0700) == 0);
    write(keys + "/sealed", "sealed by kakehashi-keys\n", 0600);  // what the root helper leaves
    CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains("are sealed (systemd-creds)") && Contains("$CREDENTIALS_DIRECTORY") &&
                                                      Contains("鍵フォルダー " + keys + " の鍵は封印されています"));
    CHECK_THROWS(AuditKey::loadOrCreate(keys));
    CHECK_FALSE(exists(keys + "/data.key"));
    CHECK_FALSE(exists(keys + "/audit.key"));
}

TEST_CASE("a restore's key is left raw for the helper when sealed, and an unsealed key stops a start", "[store][keys]") {
    auto dir = tempDir();
    std::string keys = dir + "/keys";
    std::string oldKey = kh::crypto::randomBytes(DataKey::kBytes), newKey = kh::crypto::randomBytes(DataKey::kBytes);
    Credentials env(credentialFolder(dir, oldKey, kh::crypto::randomBytes(32)));
    REQUIRE(DataKey::replaceTakesRestart());
    DataKey::replace(keys, newKey);
    struct stat st {};
    REQUIRE(stat((keys + "/data.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(stat(keys.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK(readFile(keys + "/data.key") == newKey);
    // Until the helper has sealed it, a start would have two keys to choose from: it is refused.
    CHECK_THROWS_WITH(DataKey::loadOrCreate(keys), Contains("unsealed data key " + keys + "/data.key") &&
                                                      Contains("restart the service"));
    CHECK(DataKey::currentBytes(keys) == std::optional<std::string>(oldKey));
    DataKey::undoReplace(keys, oldKey);  // the restore failed: the credential is still the key
    CHECK_FALSE(exists(keys + "/data.key"));
    CHECK(DataKey::loadOrCreate(keys).holds(oldKey));
}

TEST_CASE("without credentials a restore's key replaces the file and is undone to the old one", "[store][keys]") {
    auto dir = tempDir();
    std::string keys = dir + "/keys";
    auto old = DataKey::currentBytes(keys);
    CHECK_FALSE(old);
    DataKey::loadOrCreate(keys);
    old = DataKey::currentBytes(keys);
    REQUIRE(old);
    CHECK_FALSE(DataKey::replaceTakesRestart());
    std::string newKey = kh::crypto::randomBytes(DataKey::kBytes);
    DataKey::replace(keys, newKey);
    CHECK(DataKey::loadOrCreate(keys).holds(newKey));
    DataKey::undoReplace(keys, *old);
    CHECK(DataKey::loadOrCreate(keys).holds(*old));
    CHECK_THROWS_AS(DataKey::replace(keys, "short"), std::invalid_argument);
}

TEST_CASE("the data key is made once, owner-only, and reused", "[store][keys]") {
    auto dir = tempDir();
    auto a = DataKey::loadOrCreate(dir + "/keys");
    struct stat st {};
    REQUIRE(stat((dir + "/keys/data.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto b = DataKey::loadOrCreate(dir + "/keys");
    CHECK(b.open(a.seal("x", "aad"), "aad") == "x");
    CHECK(a.blindIndex({"01130012", "", "1", "", "19800101"}) == b.blindIndex({"01130012", "", "1", "", "19800101"}));
    CHECK(a.blindIndex({"01130012", "", "1", "", "19800101"}) != a.blindIndex({"01130012", "", "11", "", "9800101"}));
    chmod((dir + "/keys/data.key").c_str(), 0644);
    CHECK_THROWS(DataKey::loadOrCreate(dir + "/keys"));
}
