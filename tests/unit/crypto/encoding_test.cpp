#include <catch2/catch.hpp>

#include "crypto/encoding.hpp"

using namespace kh::crypto;

TEST_CASE("base64 follows RFC 4648, padded or not, standard or URL-safe", "[crypto]") {
    CHECK(base64Encode("") == "");
    CHECK(base64Encode("f") == "Zg==");
    CHECK(base64Encode("fo") == "Zm8=");
    CHECK(base64Encode("foobar") == "Zm9vYmFy");
    CHECK(base64Encode("f", Base64Alphabet::Standard, false) == "Zg");
    CHECK(base64Encode("\xfb\xff", Base64Alphabet::Url, false) == "-_8");
    CHECK(base64Encode("\xfb\xff") == "+/8=");
    CHECK(base64Decode("Zm8=") == std::string("fo"));
    CHECK(base64Decode("Zm8") == std::string("fo"));
    CHECK(base64Decode("-_8", Base64Alphabet::Url) == std::string("\xfb\xff"));
}

TEST_CASE("base64 refuses what no encoder writes", "[crypto]") {
    CHECK_FALSE(base64Decode("Zm8*"));
    CHECK_FALSE(base64Decode("-_8"));            // URL symbols in standard text
    CHECK_FALSE(base64Decode("Z"));              // a lone symbol
    CHECK_FALSE(base64Decode("Zh"));             // stray bits
    CHECK_FALSE(base64Decode("Zm=8"));           // padding inside
}
