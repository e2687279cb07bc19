#include "services/qr_code.hpp"

#include <Poco/Checksum.h>
#include <Poco/DeflatingStream.h>
#include <qrencode.h>

#include <memory>
#include <sstream>
#include <stdexcept>

namespace kh::services {
namespace {
QRecLevel toLibraryLevel(QrErrorCorrection l) {
    switch (l) {
    case QrErrorCorrection::L: return QR_ECLEVEL_L;
    case QrErrorCorrection::Q: return QR_ECLEVEL_Q;
    case QrErrorCorrection::H: return QR_ECLEVEL_H;
    default: return QR_ECLEVEL_M;
    }
}

void bigEndian32(std::string& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += char((v >> shift) & 0xFF);
}

// One PNG chunk: length, type, data, CRC-32 over type and data.
void chunk(std::string& png, const char* type, const std::string& data) {
    bigEndian32(png, uint32_t(data.size()));
    std::string typed = std::string(type, 4) + data;
    png += typed;
    Poco::Checksum crc(Poco::Checksum::TYPE_CRC32);
    crc.update(typed.data(), unsigned(typed.size()));
    bigEndian32(png, crc.checksum());
}

std::string zlibCompress(const std::string& raw) {
    std::ostringstream out;
    Poco::DeflatingOutputStream deflate(out, Poco::DeflatingStreamBuf::STREAM_ZLIB, 9);
    deflate.write(raw.data(), std::streamsize(raw.size()));
    deflate.close();
    return out.str();
}

void checkOptions(const QrOptions& o) {
    if (o.moduleSize < 1 || o.moduleSize > 40) throw std::invalid_argument("size must be 1..40");
    if (o.margin < 0 || o.margin > 16) throw std::invalid_argument("margin must be 0..16");
}
}  // namespace

bool parseErrorCorrection(const std::string& letter, QrErrorCorrection& out) {
    if (letter == "L") out = QrErrorCorrection::L;
    else if (letter == "M") out = QrErrorCorrection::M;
    else if (letter == "Q") out = QrErrorCorrection::Q;
    else if (letter == "H") out = QrErrorCorrection::H;
    else return false;
    return true;
}

QrMatrix encodeQr(const std::string& text, QrErrorCorrection level) {
    if (text.empty() || text.size() > 2000) throw std::invalid_argument("QR text must be 1..2000 bytes");
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeData(int(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0, toLibraryLevel(level)),
        &QRcode_free);
    if (!code) throw std::invalid_argument("the text cannot be encoded as a QR code");
    QrMatrix m;
    m.size = code->width;
    m.dark.resize(size_t(m.size) * m.size);
    for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = code->data[i] & 1;  // bit 0: dark module
    return m;
}

std::string qrPng(const std::string& text, const QrOptions& o) {
    checkOptions(o);
    auto m = encodeQr(text, o.level);
    int side = (m.size + 2 * o.margin) * o.moduleSize;
    std::string raw;
    raw.reserve(size_t(side) * (side + 1));
    for (int py = 0; py < side; ++py) {
        raw += '\0';  // filter type: none
        int y = py / o.moduleSize - o.margin;
        for (int px = 0; px < side; ++px) {
            int x = px / o.moduleSize - o.margin;
            bool dark = x >= 0 && y >= 0 && x < m.size && y < m.size && m.at(x, y);
            raw += dark ? '\x00' : '\xFF';
        }
    }
    std::string png = "\x89PNG\r\n\x1a\n";
    std::string ihdr;
    bigEndian32(ihdr, uint32_t(side));
    bigEndian32(ihdr, uint32_t(side));
    ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit greyscale, deflate, no filter method, no interlace
    chunk(png, "IHDR", ihdr);
    chunk(png, "IDAT", zlibCompress(raw));
    chunk(png, "IEND", "");
    return png;
}

std::string qrSvg(const std::string& text, const QrOptions& o) {
    checkOptions(o);
    auto m = encodeQr(text, o.level);
    int side = (m.size + 2 * o.margin) * o.moduleSize;
    std::ostringstream path;
    for (int y = 0; y < m.size; ++y)
        for (int x = 0; x < m.size; ++x)
            if (m.at(x, y))
                path << 'M' << (x + o.margin) * o.moduleSize << ',' << (y + o.margin) * o.moduleSize << 'h' << o.moduleSize
                     << 'v' << o.moduleSize << 'h' << -o.moduleSize << 'z';
    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << side << "\" height=\"" << side << "\" viewBox=\"0 0 "
        << side << ' ' << side << "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR\">"
        << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" << path.str() << "\"/></svg>";
    return svg.str();
}

}  // namespace kh::services
