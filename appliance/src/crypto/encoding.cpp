#include "crypto/encoding.hpp"

#include <cstdint>

namespace kh::crypto {
namespace {

const char* symbols(Base64Alphabet a) {
    return a == Base64Alphabet::Url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                    : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

}  // namespace

std::string base64Encode(std::string_view bytes, Base64Alphabet alphabet, bool pad) {
    const char* table = symbols(alphabet);
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) out += table[(acc >> (bits -= 6)) & 63];
    }
    if (bits) out += table[(acc << (6 - bits)) & 63];
    while (pad && out.size() % 4) out += '=';
    return out;
}

std::optional<std::string> base64Decode(std::string_view text, Base64Alphabet alphabet, bool padding) {
    const char* table = symbols(alphabet);
    while (padding && !text.empty() && text.back() == '=') text.remove_suffix(1);
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        const char* at = std::char_traits<char>::find(table, 64, c);
        if (!at) return std::nullopt;
        acc = (acc << 6) | uint32_t(at - table);
        bits += 6;
        if (bits >= 8) out += char((acc >> (bits -= 8)) & 0xFF);
    }
    if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // a lone symbol, or stray bits
    return out;
}

}  // namespace kh::crypto
