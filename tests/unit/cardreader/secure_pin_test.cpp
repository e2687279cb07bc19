#include <catch2/catch.hpp>

#include "cardreader/secure_pin.hpp"

using kh::cardreader::SecurePin;

namespace {
void fill(SecurePin& pin, const char* text) {
    for (const char* p = text; *p; ++p) pin.push(*p);
}
}  // namespace

TEST_CASE("only four ASCII digits make a well-formed PIN", "[cardreader]") {
    for (const char* good : {"0000", "7391"}) {
        SecurePin pin;
        fill(pin, good);
        CHECK(pin.wellFormed());
    }
    for (const char* bad : {"", "739", "73911", "73a1", " 739", "\xef\xbc\x97"}) {
        SecurePin pin;
        fill(pin, bad);
        CHECK_FALSE(pin.wellFormed());
    }
}

TEST_CASE("a PIN that overflowed stays malformed, and clearing wipes it", "[cardreader]") {
    SecurePin pin;
    fill(pin, "12345");
    CHECK(pin.size() == 4);
    CHECK_FALSE(pin.wellFormed());  // not the first four of a longer entry
    pin.clear();
    CHECK(pin.size() == 0);
    for (int i = 0; i < 4; ++i) CHECK(pin.data()[i] == 0);
    fill(pin, "2468");
    CHECK(pin.wellFormed());
}
