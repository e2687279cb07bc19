// ISO 7816-4 command and response APDUs (short form) as the JPKI protocol uses them, and the one trace
// format of the card layer, which masks what a VERIFY carries.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace kh::cardreader {

using Bytes = std::vector<uint8_t>;

struct ResponseApdu {
    Bytes data;
    uint16_t sw = 0;  // SW1 << 8 | SW2
    uint8_t sw1() const { return uint8_t(sw >> 8); }
    uint8_t sw2() const { return uint8_t(sw & 0xFF); }
    bool ok() const { return sw == 0x9000; }
};

// The last two bytes are the status word; shorter input is a broken answer (sw 0).
ResponseApdu splitResponse(const uint8_t* p, std::size_t n);

// CLA INS P1 P2 [Lc data] [Le]; `le` < 0 leaves Le out, 0..256 writes it (256 as 00).
Bytes commandApdu(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, const Bytes& data = {}, int le = -1);

// The same command with Le replaced (the card's 6Cxx "resend with Le = xx").
Bytes withLe(const Bytes& command, uint8_t le);

// "00 A4 04 0C 0A D392…": hex for the log. The data of VERIFY (20) and CHANGE REFERENCE DATA (24)
// is written as XX, so no PIN ever reaches a trace.
std::string traceCommand(const Bytes& command);
std::string hexSw(uint16_t sw);  // "63C2"

}  // namespace kh::cardreader
