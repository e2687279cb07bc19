#include <catch2/catch.hpp>

#include <chrono>

#include "crypto/password.hpp"

using namespace kh::crypto;

namespace {
// A field of "scrypt$15$8$1$<salt>$<key>" replaced, to make tampered or foreign forms.
std::string withField(const std::string& encoded, size_t index, const std::string& value) {
    std::string out;
    size_t field = 0;
    for (char c : encoded) {
        if (c == '$') {
            ++field;
            out += c;
            if (field == index) out += value;
        } else if (field != index) {
            out += c;
        }
    }
    return out;
}
}  // namespace

TEST_CASE("a scrypt password hash verifies the right password only", "[crypto][password]") {
    std::string encoded = hashPassword("正しい馬 battery staple");
    CHECK(encoded.rfind("scrypt$15$8$1$", 0) == 0);
    CHECK(encoded.find("battery") == std::string::npos);
    CHECK(verifyPassword("正しい馬 battery staple", encoded));
    CHECK_FALSE(verifyPassword("正しい馬 battery stapl", encoded));
    CHECK_FALSE(passwordNeedsRehash(encoded));
    CHECK(hashPassword("正しい馬 battery staple") != encoded);  // fresh salt each time
}

TEST_CASE("malformed, tampered or absurdly costly password hashes are refused", "[crypto][password]") {
    std::string encoded = hashPassword("correct horse");
    std::string key = encoded.substr(encoded.rfind('$') + 1);
    std::string flipped = key;
    flipped[3] = flipped[3] == 'A' ? 'B' : 'A';
    CHECK_FALSE(verifyPassword("correct horse", withField(encoded, 5, flipped)));
    for (const std::string& bad : {std::string(), std::string("scrypt"), encoded + "$", encoded.substr(1),
                                   "bcrypt" + encoded.substr(6), withField(encoded, 1, "015"),
                                   withField(encoded, 1, "x"), withField(encoded, 2, "-8"),
                                   withField(encoded, 4, "!!!!"), withField(encoded, 5, key + "="),
                                   withField(encoded, 5, key.substr(0, 10))}) {
        CAPTURE(bad);
        CHECK_FALSE(verifyPassword("correct horse", bad));
        CHECK(passwordNeedsRehash(bad));
    }
    // Refused before any work is done: a tampered row must not make a login take minutes.
    auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(verifyPassword("correct horse", withField(encoded, 1, "21")));
    CHECK_FALSE(verifyPassword("correct horse", withField(encoded, 2, "17")));
    CHECK_FALSE(verifyPassword("correct horse", withField(encoded, 3, "5")));
    CHECK_FALSE(verifyPassword("correct horse", withField(withField(encoded, 1, "20"), 2, "16")));  // 2 GiB
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(50));
}

TEST_CASE("an older, weaker hash still verifies and asks to be redone", "[crypto][password]") {
    // RFC 7914 §12: scrypt("pleaseletmein", "SodiumChloride", N = 2^14, r = 8, p = 1), 64-byte key.
    std::string older =
        "scrypt$14$8$1$U29kaXVtQ2hsb3JpZGU$"
        "cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofLVQylVYT8Pz2LUlwUkKpr55h6F3A1lHkDfzwF7RVdYhw";
    CHECK(verifyPassword("pleaseletmein", older));
    CHECK_FALSE(verifyPassword("pleaseletmeout", older));
    CHECK(passwordNeedsRehash(older));
    CHECK(passwordNeedsRehash(withField(older, 2, "4")));
}
