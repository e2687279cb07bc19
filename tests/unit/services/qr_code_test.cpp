#include <catch2/catch.hpp>

#include <Poco/Checksum.h>
#include <Poco/InflatingStream.h>

#include <sstream>

#include "services/qr_code.hpp"

using namespace kh::services;

namespace {
uint32_t be32(const std::string& s, size_t at) {
    return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) | (uint32_t(uint8_t(s[at + 2])) << 8) |
           uint32_t(uint8_t(s[at + 3]));
}

struct Chunk {
    std::string type, data;
};

// Reads the chunks of a PNG, checking each CRC.
std::vector<Chunk> chunks(const std::string& png) {
    std::vector<Chunk> out;
    size_t at = 8;
    while (at + 12 <= png.size()) {
        uint32_t len = be32(png, at);
        std::string typed = png.substr(at + 4, 4 + len);
        Poco::Checksum crc(Poco::Checksum::TYPE_CRC32);
        crc.update(typed.data(), unsigned(typed.size()));
        REQUIRE(crc.checksum() == be32(png, at + 8 + len));
        out.push_back({typed.substr(0, 4), typed.substr(4)});
        at += 12 + len;
    }
    return out;
}
}  // namespace

TEST_CASE("the QR matrix has the size of its version and finder patterns in three corners", "[services][qr]") {
    auto m = encodeQr("https://example.invalid/home-reception/abc", QrErrorCorrection::M);
    REQUIRE(m.size >= 21);
    CHECK((m.size - 17) % 4 == 0);
    for (auto [x0, y0] : {std::pair{0, 0}, {m.size - 7, 0}, {0, m.size - 7}}) {
        CHECK(m.at(x0, y0));
        CHECK(m.at(x0 + 6, y0 + 6));
        CHECK_FALSE(m.at(x0 + 1, y0 + 1));  // the white ring of a finder pattern
        CHECK(m.at(x0 + 3, y0 + 3));        // its dark centre
    }
    CHECK(encodeQr("x", QrErrorCorrection::H).size >= 21);
    CHECK_THROWS(encodeQr("", QrErrorCorrection::M));
}

TEST_CASE("the PNG is a valid greyscale image whose pixels are the QR modules", "[services][qr]") {
    const std::string url = "https://example.invalid/r/1";
    QrOptions o;
    o.moduleSize = 3;
    o.margin = 2;
    auto png = qrPng(url, o);
    REQUIRE(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    auto cs = chunks(png);
    REQUIRE(cs.size() == 3);
    CHECK(cs[0].type == "IHDR");
    CHECK(cs[1].type == "IDAT");
    CHECK(cs[2].type == "IEND");
    auto m = encodeQr(url, o.level);
    uint32_t side = uint32_t((m.size + 2 * o.margin) * o.moduleSize);
    CHECK(be32(cs[0].data, 0) == side);
    CHECK(be32(cs[0].data, 4) == side);
    std::istringstream compressed(cs[1].data);
    Poco::InflatingInputStream inflate(compressed, Poco::InflatingStreamBuf::STREAM_ZLIB);
    std::string raw((std::istreambuf_iterator<char>(inflate)), std::istreambuf_iterator<char>());
    REQUIRE(raw.size() == size_t(side) * (side + 1));
    auto pixel = [&](int x, int y) { return uint8_t(raw[size_t(y) * (side + 1) + 1 + x]); };
    CHECK(pixel(0, 0) == 0xFF);  // quiet zone
    for (int y = 0; y < m.size; ++y)
        for (int x = 0; x < m.size; ++x)
            REQUIRE((pixel((x + o.margin) * o.moduleSize + 1, (y + o.margin) * o.moduleSize + 1) == 0) == m.at(x, y));
}

TEST_CASE("the SVG draws every dark module and refuses bad options", "[services][qr]") {
    QrOptions o;
    auto svg = qrSvg("https://example.invalid/", o);
    auto m = encodeQr("https://example.invalid/", o.level);
    size_t dark = 0;
    for (bool d : m.dark) dark += d;
    size_t drawn = 0;
    for (size_t at = svg.find('M'); at != std::string::npos; at = svg.find('M', at + 1)) ++drawn;
    CHECK(drawn == dark);
    CHECK(svg.find("<svg") == 0);
    o.moduleSize = 0;
    CHECK_THROWS(qrSvg("x", o));
    QrErrorCorrection level;
    CHECK(parseErrorCorrection("Q", level));
    CHECK(level == QrErrorCorrection::Q);
    CHECK_FALSE(parseErrorCorrection("Z", level));
}
