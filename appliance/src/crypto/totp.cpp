#include "crypto/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "crypto/primitives.hpp"

namespace kh::crypto {
namespace {
const char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr size_t kSecretBytes = 20;
constexpr int kMaxWindow = 10;

std::optional<uint32_t> base32Value(char c) {
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z') return uint32_t(c - 'A');
    if (c >= '2' && c <= '7') return uint32_t(c - '2' + 26);
    return std::nullopt;
}

// RFC 4226 §5.3: HMAC-SHA1 of the big-endian counter, dynamic truncation to 31 bits, last 6 decimal digits.
std::string hotp(std::string_view secret, uint64_t counter) {
    unsigned char message[8];
    for (int i = 7; i >= 0; --i, counter >>= 8) message[i] = static_cast<unsigned char>(counter & 0xFF);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha1(), secret.data(), int(secret.size()), message, sizeof message, mac, &len) || len != 20)
        throw std::runtime_error("HMAC-SHA1 failed");
    int offset = mac[19] & 0x0F;
    uint32_t value = (uint32_t(mac[offset] & 0x7F) << 24) | (uint32_t(mac[offset + 1]) << 16) |
                     (uint32_t(mac[offset + 2]) << 8) | uint32_t(mac[offset + 3]);
    std::string code = std::to_string(value % 1000000);
    return std::string(kTotpDigits - code.size(), '0') + code;
}

bool isTotpShape(const std::string& code) {
    if (code.size() != size_t(kTotpDigits)) return false;
    for (char c : code)
        if (c < '0' || c > '9') return false;
    return true;
}

// RFC 3986 unreserved characters stay, every other byte (UTF-8 included) becomes %XX.
std::string percentEncode(const std::string& text) {
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += char(c);
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    return out;
}
}  // namespace

std::string newTotpSecret() { return randomBytes(kSecretBytes); }

std::string base32Encode(std::string_view bytes) {
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 5) out += kBase32[(acc >> (bits -= 5)) & 31];
    }
    if (bits) out += kBase32[(acc << (5 - bits)) & 31];
    return out;
}

std::optional<std::string> base32Decode(std::string_view text) {
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    size_t symbols = 0;
    bool padding = false;
    for (char c : text) {
        if (c == ' ') continue;
        if (c == '=') {
            padding = true;
            continue;
        }
        auto v = base32Value(c);
        if (!v || padding) return std::nullopt;  // a symbol after padding is not base32
        acc = (acc << 5) | *v;
        bits += 5;
        ++symbols;
        if (bits >= 8) out += char((acc >> (bits -= 8)) & 0xFF);
    }
    // 1, 3 or 6 symbols past a full group encode no whole byte: a truncated or mistyped secret.
    size_t tail = symbols % 8;
    if (tail == 1 || tail == 3 || tail == 6) return std::nullopt;
    return out;
}

int64_t totpStep(int64_t unixSeconds) {
    int64_t step = unixSeconds / kTotpPeriodSeconds;
    return (unixSeconds % kTotpPeriodSeconds < 0) ? step - 1 : step;
}

std::string totpCode(std::string_view secret, int64_t unixSeconds) {
    return hotp(secret, uint64_t(totpStep(unixSeconds)));
}

std::optional<int64_t> totpStepMatching(std::string_view secret, const std::string& code, int64_t unixSeconds,
                                        int window) {
    if (!isTotpShape(code)) return std::nullopt;
    if (window < 0) window = 0;
    if (window > kMaxWindow) window = kMaxWindow;
    int64_t now = totpStep(unixSeconds);
    std::optional<int64_t> found;
    // Every step in the window is computed and compared, so the time taken does not say which one matched.
    for (int64_t step = now - window; step <= now + window; ++step) {
        bool same = constantTimeEqual(hotp(secret, uint64_t(step)), code);
        if (same && !found) found = step;
    }
    return found;
}

std::string otpauthUri(const std::string& issuer, const std::string& account, std::string_view secret) {
    std::string label = percentEncode(issuer) + ":" + percentEncode(account);
    return "otpauth://totp/" + label + "?secret=" + base32Encode(secret) + "&issuer=" + percentEncode(issuer) +
           "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace kh::crypto
