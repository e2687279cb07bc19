// Tests of the JPKI card protocol's pure parts (jpki_card.cpp): the DigestInfo the card signs.
#include <catch2/catch.hpp>

#include "cardreader/jpki_card.hpp"

using namespace kh::cardreader;

TEST_CASE("the DigestInfo of SHA-256 is the prefix and the hash", "[cardreader][jpki]") {
    Bytes info = sha256DigestInfo({'a', 'b', 'c'});
    REQUIRE(info.size() == 19 + 32);
    CHECK(info[0] == 0x30);
    CHECK(info[18] == 0x20);
    CHECK(info[19] == 0xBA);  // SHA-256("abc") = ba7816bf…
    CHECK(info[50] == 0xAD);  // …f20015ad
}
