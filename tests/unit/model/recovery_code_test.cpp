#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "model/recovery_code.hpp"

using namespace kh::model;

TEST_CASE("a recovery code is 8 symbols of Crockford's base32 with a dash in the middle", "[model][recovery]") {
    CHECK(recoveryCodeFrom(std::string(8, '\0')) == "0000-0000");
    CHECK(recoveryCodeFrom("\x1f\x1f\x1f\x1f\x01\x02\x03\x20") == "zzzz-1230");  // 5 low bits of each byte
    CHECK(recoveryCodeFrom("\xff\xfe\x10\x11\x12\x13\x14\x15") == "zygh-jkmn");
    CHECK_THROWS(recoveryCodeFrom("short"));
    std::set<char> symbols;
    for (int b = 0; b < 256; b += 8) {
        std::string random(8, char(b));
        for (int k = 0; k < 8; ++k) random[size_t(k)] = char(b + k);
        for (char c : recoveryCodeFrom(random)) symbols.insert(c);
    }
    symbols.erase('-');
    CHECK(symbols.size() == 32);
    for (char misread : {'i', 'l', 'o', 'u'}) CHECK(symbols.count(misread) == 0);
}

TEST_CASE("a typed recovery code is read the way a person means it", "[model][recovery]") {
    CHECK(canonicalRecoveryCode("abcd-efgh") == std::optional<std::string>("abcd-efgh"));
    CHECK(canonicalRecoveryCode("ABCDEFGH") == std::optional<std::string>("abcd-efgh"));
    CHECK(canonicalRecoveryCode("O1IL-0000") == std::optional<std::string>("0111-0000"));  // o→0, i and l→1
    CHECK(canonicalRecoveryCode("ab-cd-ef-gh") == std::optional<std::string>("abcd-efgh"));
    CHECK_FALSE(canonicalRecoveryCode("abcd-efg"));     // 7 symbols
    CHECK_FALSE(canonicalRecoveryCode("abcd-efghj"));   // 9 symbols
    CHECK_FALSE(canonicalRecoveryCode("abcu-efgh"));    // u is not a symbol
    CHECK_FALSE(canonicalRecoveryCode("abcd efgh"));    // spaces are the caller's to drop
    CHECK_FALSE(canonicalRecoveryCode(std::string("abcd\0efgh", 9)));
    CHECK_FALSE(canonicalRecoveryCode(""));
    for (std::string code : {"0000-0000", "zygh-jkmn", "7k3q-vw9x"}) CHECK(canonicalRecoveryCode(code) == code);
}
