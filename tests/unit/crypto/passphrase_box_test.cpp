#include <catch2/catch.hpp>

#include "crypto/passphrase_box.hpp"

using namespace kh::crypto;

namespace {
const std::string kPassphrase = "橋を架ける-backup-2026";
const std::string kContents = std::string("{\"format\":\"kakehashi-backup-1\"}\0\x01\xFF binary too", 45);
}  // namespace

TEST_CASE("a passphrase box opens with its passphrase to the same bytes", "[crypto][passphrase-box]") {
    std::string sealed = sealWithPassphrase(kPassphrase, kContents);
    CHECK(sealed.rfind("KKHBK1", 0) == 0);
    CHECK(sealed[6] == 15);  // log2 N
    CHECK(sealed[7] == 8);   // r
    CHECK(sealed[8] == 1);   // p
    CHECK(sealed.size() == 6 + 3 + 16 + 12 + kContents.size() + 16);
    CHECK(sealed.find("kakehashi-backup") == std::string::npos);
    auto opened = openWithPassphrase(kPassphrase, sealed);
    REQUIRE(opened);
    CHECK(*opened == kContents);
    CHECK(sealWithPassphrase(kPassphrase, kContents) != sealed);  // a fresh salt and nonce each time
    auto empty = openWithPassphrase(kPassphrase, sealWithPassphrase(kPassphrase, ""));
    REQUIRE(empty);
    CHECK(empty->empty());
}

TEST_CASE("a wrong passphrase does not open a passphrase box", "[crypto][passphrase-box]") {
    std::string sealed = sealWithPassphrase(kPassphrase, kContents);
    CHECK_FALSE(openWithPassphrase("橋を架ける-backup-2025", sealed));
    CHECK_FALSE(openWithPassphrase("", sealed));
}

TEST_CASE("any changed byte of a passphrase box, header included, stops it opening", "[crypto][passphrase-box]") {
    std::string sealed = sealWithPassphrase(kPassphrase, kContents);
    // The magic, each cost byte, the salt, the nonce, the ciphertext and the tag.
    for (size_t at : {size_t(0), size_t(5), size_t(6), size_t(7), size_t(8), size_t(12), size_t(30), size_t(40),
                      sealed.size() - 1}) {
        std::string changed = sealed;
        changed[at] = char(changed[at] ^ 0x01);
        CHECK_FALSE(openWithPassphrase(kPassphrase, changed));
    }
}

TEST_CASE("a truncated or extended passphrase box does not open", "[crypto][passphrase-box]") {
    std::string sealed = sealWithPassphrase(kPassphrase, kContents);
    for (size_t keep : {size_t(0), size_t(6), size_t(25), size_t(25 + 28 - 1), sealed.size() - 1})
        CHECK_FALSE(openWithPassphrase(kPassphrase, sealed.substr(0, keep)));
    CHECK_FALSE(openWithPassphrase(kPassphrase, sealed + "x"));
}

TEST_CASE("a passphrase box asking for an absurd cost is refused before any work", "[crypto][passphrase-box]") {
    std::string sealed = sealWithPassphrase(kPassphrase, kContents);
    std::string costly = sealed;
    costly[6] = 30;  // 2^30 * 8 * 128 bytes: far beyond the limit
    CHECK_FALSE(openWithPassphrase(kPassphrase, costly));
    std::string noCost = sealed;
    noCost[7] = 0;  // r = 0
    CHECK_FALSE(openWithPassphrase(kPassphrase, noCost));
}
