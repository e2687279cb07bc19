// QR codes for the institution's マイナ在宅受付Web URL: encoded with libqrencode, drawn as PNG (for
// printing and web pages) or SVG (scales without blur on the A4 poster).
#pragma once
#include <string>
#include <vector>

namespace kh::services {

enum class QrErrorCorrection { L, M, Q, H };
bool parseErrorCorrection(const std::string& letter, QrErrorCorrection& out);

struct QrOptions {
    QrErrorCorrection level = QrErrorCorrection::M;
    int moduleSize = 8;  // pixels per module (PNG) or user units (SVG), 1..40
    int margin = 4;      // quiet zone in modules (the standard asks for 4)
};

// The module grid: true = dark. Throws std::invalid_argument when the text cannot be encoded.
struct QrMatrix {
    int size = 0;
    std::vector<bool> dark;  // size * size, row by row
    bool at(int x, int y) const { return dark[size_t(y) * size + x]; }
};
QrMatrix encodeQr(const std::string& text, QrErrorCorrection level);

std::string qrPng(const std::string& text, const QrOptions& options);  // 8-bit greyscale PNG
std::string qrSvg(const std::string& text, const QrOptions& options);  // one <path>, crisp edges

}  // namespace kh::services
