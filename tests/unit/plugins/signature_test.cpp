// Bundle signatures: signed bundles verify; a changed, added or removed file, an unknown key, a missing
// or malformed plugin.sig are each refused with their own message.
#include <catch2/catch.hpp>

#include "../temp_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "plugins/signature.hpp"

using namespace kh::plugins;
namespace fs = std::filesystem;

namespace {

const char* kUnsigned = "署名がありません";
const char* kTampered = "署名が一致しません：内容が変更されています";
const char* kMalformed = "署名の形式が正しくありません";

std::string tempDir() { return kh::test::tempDir("signature"); }

void writeFile(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Keys {
    std::string privatePem, publicPem;
};

Keys makeKeys(const std::string& dir, const std::string& name) {
    Keys keys{dir + "/" + name + ".key", dir + "/" + name + ".pub"};
    generateSigningKey(keys.privatePem, keys.publicPem);
    return keys;
}

std::string makeBundle(const std::string& root) {
    auto dir = root + "/vendor-a";
    writeFile(dir + "/plugin.json", R"({"id":"vendor-a"})");
    writeFile(dir + "/adapter.lua", "return {}\n");
    writeFile(dir + "/lib/columns.lua", "return { 'a', 'b' }\n");
    return dir;
}

}  // namespace

TEST_CASE("a signed bundle verifies against its vendor's key", "[plugins][signature]") {
    auto root = tempDir();
    auto keys = makeKeys(root, "vendor");
    auto other = makeKeys(root, "other");
    auto dir = makeBundle(root);
    signBundle(dir, keys.privatePem);
    CHECK(verifyBundle(dir, {keys.publicPem}) == "");
    CHECK(verifyBundle(dir, {other.publicPem, keys.publicPem}) == "");
}

TEST_CASE("plugin.sig names the key and holds a base64 signature", "[plugins][signature]") {
    auto root = tempDir();
    auto keys = makeKeys(root, "vendor");
    auto dir = makeBundle(root);
    signBundle(dir, keys.privatePem);
    std::istringstream lines(readFile(dir + "/plugin.sig"));
    std::string header, signature;
    std::getline(lines, header);
    std::getline(lines, signature);
    CHECK_THAT(header, Catch::Matches("ed25519 [0-9a-f]{16}"));
    CHECK_THAT(signature, Catch::Matches("[A-Za-z0-9+/]{86}=="));
    CHECK_FALSE(fs::exists(dir + "/.plugin.sig.tmp"));
}

TEST_CASE("one byte changed in a file is reported as a changed bundle", "[plugins][signature]") {
    auto root = tempDir();
    auto keys = makeKeys(root, "vendor");
    auto dir = makeBundle(root);
    signBundle(dir, keys.privatePem);
    writeFile(dir + "/lib/columns.lua", "return { 'a', 'c' }\n");
    CHECK(verifyBundle(dir, {keys.publicPem}) == kTampered);
}

TEST_CASE("an added or removed file is reported as a changed bundle", "[plugins][signature]") {
    auto root = tempDir();
    auto keys = makeKeys(root, "vendor");
    auto dir = makeBundle(root);
    signBundle(dir, keys.privatePem);
    SECTION("added") {
        writeFile(dir + "/extra.lua", "os.exit()\n");
        CHECK(verifyBundle(dir, {keys.publicPem}) == kTampered);
    }
    SECTION("removed") {
        fs::remove(dir + "/lib/columns.lua");
        CHECK(verifyBundle(dir, {keys.publicPem}) == kTampered);
    }
    SECTION("renamed") {
        fs::rename(dir + "/lib/columns.lua", dir + "/lib/column.lua");
        CHECK(verifyBundle(dir, {keys.publicPem}) == kTampered);
    }
}

TEST_CASE("a bundle signed by a key the box does not trust names that key", "[plugins][signature]") {
    auto root = tempDir();
    auto vendor = makeKeys(root, "vendor");
    auto stranger = makeKeys(root, "stranger");
    auto dir = makeBundle(root);
    signBundle(dir, stranger.privatePem);
    CHECK_THAT(verifyBundle(dir, {vendor.publicPem}),
               Catch::StartsWith("信頼された鍵で署名されていません (not signed by a trusted key; key id "));
    CHECK_THAT(verifyBundle(dir, {}), Catch::Contains("not signed by a trusted key"));
}

TEST_CASE("a bundle without plugin.sig is unsigned", "[plugins][signature]") {
    auto root = tempDir();
    auto keys = makeKeys(root, "vendor");
    CHECK(verifyBundle(makeBundle(root), {keys.publicPem}) == kUnsigned);
}

TEST_CASE("a plugin.sig that cannot be read as a signature is malformed", "[plugins][signature]") {
    auto root = tempDir();
    auto keys = makeKeys(root, "vendor");
    auto dir = makeBundle(root);
    signBundle(dir, keys.privatePem);
    auto good = readFile(dir + "/plugin.sig");
    for (std::string bad : {std::string(""), std::string("garbage"), "rsa " + good.substr(8),
                            good.substr(0, good.size() - 10) + "\n", good.substr(0, 25) + "!!!!\n",
                            good + "third line\n"}) {
        INFO(bad);
        writeFile(dir + "/plugin.sig", bad);
        CHECK(verifyBundle(dir, {keys.publicPem}) == kMalformed);
    }
}

TEST_CASE("the digest ignores plugin.sig and hidden files, and covers paths and contents", "[plugins][signature]") {
    auto root = tempDir();
    auto dir = makeBundle(root);
    auto before = bundleDigest(dir);
    CHECK_THAT(before, Catch::Matches("[0-9a-f]{64}"));
    writeFile(dir + "/plugin.sig", "anything");
    writeFile(dir + "/.DS_Store", "x");
    writeFile(dir + "/.git/HEAD", "ref: main");
    CHECK(bundleDigest(dir) == before);
    fs::rename(dir + "/lib", dir + "/lib2");
    CHECK(bundleDigest(dir) != before);
}

TEST_CASE("a bundle moved to another folder still verifies", "[plugins][signature]") {
    auto root = tempDir();
    auto keys = makeKeys(root, "vendor");
    auto dir = makeBundle(root);
    signBundle(dir, keys.privatePem);
    fs::rename(dir, root + "/moved");
    CHECK(verifyBundle(root + "/moved", {keys.publicPem}) == "");
}

TEST_CASE("a bundle holding a symbolic link is neither signed nor verified", "[plugins][signature]") {
    auto root = tempDir();
    auto keys = makeKeys(root, "vendor");
    auto dir = makeBundle(root);
    signBundle(dir, keys.privatePem);
    writeFile(root + "/outside.lua", "return {}\n");
    fs::create_symlink(root + "/outside.lua", dir + "/lib/outside.lua");
    CHECK_THAT(verifyBundle(dir, {keys.publicPem}), Catch::Contains("symbolic link in the bundle: lib/outside.lua"));
    CHECK_THROWS_WITH(signBundle(dir, keys.privatePem), Catch::Contains("symbolic link"));
}

TEST_CASE("generateSigningKey makes an owner-only private key and a public key", "[plugins][signature]") {
    auto root = tempDir();
    auto keys = makeKeys(root, "vendor");
    struct stat st {};
    REQUIRE(stat(keys.privatePem.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_THAT(readFile(keys.privatePem), Catch::StartsWith("-----BEGIN PRIVATE KEY-----"));
    CHECK_THAT(readFile(keys.publicPem), Catch::StartsWith("-----BEGIN PUBLIC KEY-----"));
}

TEST_CASE("signing with an unreadable key throws and writes nothing", "[plugins][signature]") {
    auto root = tempDir();
    auto dir = makeBundle(root);
    writeFile(root + "/not-a-key.pem", "hello");
    CHECK_THROWS(signBundle(dir, root + "/missing.pem"));
    CHECK_THROWS(signBundle(dir, root + "/not-a-key.pem"));
    CHECK_FALSE(fs::exists(dir + "/plugin.sig"));
}
