// Tests of the box's own HTTPS identity (tls_identity): made once at first start — a self-signed EC
// certificate for this host, localhost and 127.0.0.1, valid five years, its key beside it, both 0600 in a
// 0700 folder —, then found again and never replaced; the admin listener's folder keeps the names earlier
// boxes gave its files.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "../temp_dir.hpp"
#include "admin/tls_identity.hpp"
#include "crypto/x509.hpp"

using namespace kh;

namespace {
std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

mode_t modeOf(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}
}  // namespace

TEST_CASE("a first start makes a self-signed certificate and its key, closed to everyone else", "[admin][tls]") {
    test::TempDir state;
    auto files = admin::ensureSelfSignedCertificate(state.path, "lan-tls");
    CHECK(files.certFile == state.path + "/lan-tls/box.crt");
    CHECK(files.keyFile == state.path + "/lan-tls/box.key");
    CHECK(modeOf(state.path + "/lan-tls") == 0700);
    CHECK(modeOf(files.certFile) == 0600);
    CHECK(modeOf(files.keyFile) == 0600);
    auto pem = readFile(files.certFile);
    auto key = readFile(files.keyFile);
    CHECK(crypto::certificateMatchesKey(pem, key));
    auto info = crypto::readCertificatePem(pem);
    REQUIRE(info);
    CHECK(info->subject == info->issuer);  // self-signed
    CHECK_FALSE(info->ca);
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(info->notBefore <= now);
    CHECK(info->notAfter - now > int64_t(4 * 365) * 86400);  // about five years
}

TEST_CASE("the next start finds the same certificate and does not replace it", "[admin][tls]") {
    test::TempDir state;
    auto first = admin::ensureSelfSignedCertificate(state.path, "lan-tls");
    auto pem = readFile(first.certFile);
    auto again = admin::ensureSelfSignedCertificate(state.path, "lan-tls");
    CHECK(again.certFile == first.certFile);
    CHECK(readFile(again.certFile) == pem);
}

TEST_CASE("a certificate without its key is made again, whole", "[admin][tls]") {
    test::TempDir state;
    auto first = admin::ensureSelfSignedCertificate(state.path, "lan-tls");
    auto pem = readFile(first.certFile);
    REQUIRE(::unlink(first.keyFile.c_str()) == 0);
    auto again = admin::ensureSelfSignedCertificate(state.path, "lan-tls");
    CHECK(readFile(again.certFile) != pem);
    CHECK(crypto::certificateMatchesKey(readFile(again.certFile), readFile(again.keyFile)));
}

TEST_CASE("the admin listener's files keep their earlier names", "[admin][tls]") {
    test::TempDir state;
    auto files = admin::ensureSelfSignedCertificate(state.path);
    CHECK(files.certFile == state.path + "/admin-tls/admin.crt");
    CHECK(files.keyFile == state.path + "/admin-tls/admin.key");
    CHECK(crypto::readCertificatePem(readFile(files.certFile)));
}

TEST_CASE("in an HA pair the certificate names the pair, whichever node makes it", "[admin][tls]") {
    test::TempDir state;
    auto pair = admin::ensureSelfSignedCertificate(state.path, "admin-tls", {"kakehashi", {"192.168.10.10"}});
    auto info = crypto::readCertificatePem(readFile(pair.certFile));
    REQUIRE(info);
    CHECK(info->subject.find("CN=kakehashi") != std::string::npos);
    char host[256] = "";
    ::gethostname(host, sizeof host);
    if (std::string(host) != "kakehashi") CHECK(info->subject.find(host) == std::string::npos);
    // Made once on the replicated state folder: the other node finds the same one and keeps it.
    auto pem = readFile(pair.certFile);
    auto again = admin::ensureSelfSignedCertificate(state.path, "admin-tls", {"another-name", {}});
    CHECK(again.certFile == pair.certFile);
    CHECK(readFile(again.certFile) == pem);
}
