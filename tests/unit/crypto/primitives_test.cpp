#include <catch2/catch.hpp>

#include "crypto/primitives.hpp"

using namespace kh::crypto;

TEST_CASE("AES-256-GCM opens what it sealed, and nothing else", "[crypto]") {
    std::string key = randomBytes(32), other = randomBytes(32);
    std::string sealed = sealAesGcm(key, "山田　太郎", "cache:1");
    CHECK(sealed.size() == 12 + std::string("山田　太郎").size() + 16);
    CHECK(sealed.find("山田") == std::string::npos);
    CHECK(openAesGcm(key, sealed, "cache:1") == std::string("山田　太郎"));
    CHECK_FALSE(openAesGcm(other, sealed, "cache:1"));
    CHECK_FALSE(openAesGcm(key, sealed, "cache:2"));  // moved to another row
    std::string tampered = sealed;
    tampered[14] ^= 1;
    CHECK_FALSE(openAesGcm(key, tampered, "cache:1"));
    CHECK(sealAesGcm(key, "x", "a") != sealAesGcm(key, "x", "a"));  // fresh nonce each time
}

TEST_CASE("HMAC-SHA256 and SHA-256 match RFC 4231 and FIPS 180 vectors", "[crypto]") {
    CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex(hmacSha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("uuid4 has the version and variant bits", "[crypto]") {
    auto u = uuid4();
    REQUIRE(u.size() == 36);
    CHECK(u[14] == '4');
    CHECK(std::string("89ab").find(u[19]) != std::string::npos);
    CHECK(uuid4() != u);
}

TEST_CASE("SHA-256 in parts equals SHA-256 of the whole", "[crypto]") {
    std::string data(3 * 1024 * 1024 + 17, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = char(i * 131 % 251);
    Sha256 parts;
    for (size_t at = 0; at < data.size(); at += 65521) parts.update(std::string_view(data).substr(at, 65521));
    CHECK(hex(parts.finish()) == hex(sha256(data)));
    Sha256 empty;
    CHECK(hex(empty.finish()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
