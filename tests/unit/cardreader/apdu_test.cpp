#include <catch2/catch.hpp>

#include "cardreader/apdu.hpp"
#include "cardreader/jpki_card.hpp"

using namespace kh::cardreader;

TEST_CASE("command APDUs are written in the short form the JPKI AP takes", "[cardreader]") {
    CHECK(commandApdu(0x00, 0xA4, 0x02, 0x0C, {0x00, 0x0A}) == Bytes{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A});
    CHECK(commandApdu(0x00, 0xB0, 0x01, 0x00, {}, 256) == Bytes{0x00, 0xB0, 0x01, 0x00, 0x00});
    CHECK(commandApdu(0x00, 0x20, 0x00, 0x80) == Bytes{0x00, 0x20, 0x00, 0x80});
    CHECK(commandApdu(0x80, 0x2A, 0x00, 0x80, {0x01, 0x02}, 256) == Bytes{0x80, 0x2A, 0x00, 0x80, 0x02, 0x01, 0x02, 0x00});
}

TEST_CASE("6Cxx: the command is sent again with the Le the card asked for", "[cardreader]") {
    CHECK(withLe({0x00, 0xB0, 0x03, 0x00, 0x00}, 0x7A) == Bytes{0x00, 0xB0, 0x03, 0x00, 0x7A});
    CHECK(withLe({0x80, 0x2A, 0x00, 0x80, 0x02, 0x01, 0x02, 0x00}, 0x10) == Bytes{0x80, 0x2A, 0x00, 0x80, 0x02, 0x01, 0x02, 0x10});
    CHECK(withLe({0x00, 0xC0, 0x00, 0x00}, 0x20) == Bytes{0x00, 0xC0, 0x00, 0x00, 0x20});
}

TEST_CASE("responses split into data and status word; a short answer has none", "[cardreader]") {
    uint8_t answer[] = {0xAA, 0xBB, 0x63, 0xC2};
    auto r = splitResponse(answer, sizeof answer);
    CHECK(r.data == Bytes{0xAA, 0xBB});
    CHECK(r.sw == 0x63C2);
    CHECK((r.sw1() == 0x63 && r.sw2() == 0xC2));
    CHECK_FALSE(r.ok());
    CHECK(splitResponse(answer, 1).sw == 0);
    CHECK(hexSw(0x9000) == "9000");
}

TEST_CASE("a trace never shows what a VERIFY or CHANGE REFERENCE DATA carries", "[cardreader]") {
    Bytes verify{0x00, 0x20, 0x00, 0x80, 0x04, '7', '3', '9', '1'};
    CHECK(traceCommand(verify) == "00 20 00 80 04 XX XX XX XX");
    Bytes change{0x00, 0x24, 0x01, 0x80, 0x08, '1', '2', '3', '4', '5', '6', '7', '8'};
    CHECK(traceCommand(change).find("31") == std::string::npos);
    CHECK(traceCommand({0x00, 0x20, 0x00, 0x80}) == "00 20 00 80");  // the tries query carries nothing
    CHECK(traceCommand({0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18}) == "00 A4 02 0C 02 00 18");
}

TEST_CASE("the DigestInfo of SHA-256 is the prefix and the hash", "[cardreader]") {
    Bytes info = sha256DigestInfo({'a', 'b', 'c'});
    REQUIRE(info.size() == 19 + 32);
    CHECK(info[0] == 0x30);
    CHECK(info[18] == 0x20);
    CHECK(info[19] == 0xBA);  // SHA-256("abc") = ba7816bf…
    CHECK(info[50] == 0xAD);  // …f20015ad
}
