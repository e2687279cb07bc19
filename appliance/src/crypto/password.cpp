#include "crypto/password.hpp"

#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "crypto/primitives.hpp"

namespace kh::crypto {
namespace {
constexpr int kLog2N = 15, kR = 8, kP = 1;
constexpr size_t kSaltBytes = 16, kKeyBytes = 32;
constexpr int kMaxLog2N = 20, kMaxR = 16, kMaxP = 4;
constexpr uint64_t kMaxMemory = 128ull << 20;  // scrypt's V array is 128 * r * N bytes

const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view bytes) {
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) out += kBase64[(acc >> (bits -= 6)) & 63];
    }
    if (bits) out += kBase64[(acc << (6 - bits)) & 63];
    return out;
}

// Strict: the alphabet above, no padding, no stray bits — one text per byte string.
std::optional<std::string> unbase64(std::string_view text) {
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        const char* at = std::char_traits<char>::find(kBase64, 64, c);
        if (!at) return std::nullopt;
        acc = (acc << 6) | uint32_t(at - kBase64);
        bits += 6;
        if (bits >= 8) out += char((acc >> (bits -= 8)) & 0xFF);
    }
    if (bits >= 6 || (acc & ((1u << bits) - 1))) return std::nullopt;
    return out;
}

std::optional<int> smallNumber(std::string_view s) {
    if (s.empty() || s.size() > 2 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    int n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

struct Encoded {
    int log2N = 0, r = 0, p = 0;
    std::string salt, key;
};

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i)
        if (i == s.size() || s[i] == sep) {
            parts.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    return parts;
}

std::optional<Encoded> parse(const std::string& encoded) {
    if (encoded.size() > 256) return std::nullopt;
    auto parts = split(encoded, '$');
    if (parts.size() != 6 || parts[0] != "scrypt") return std::nullopt;
    auto n = smallNumber(parts[1]), r = smallNumber(parts[2]), p = smallNumber(parts[3]);
    auto salt = unbase64(parts[4]), key = unbase64(parts[5]);
    if (!n || !r || !p || !salt || !key) return std::nullopt;
    if (*n < 1 || *n > kMaxLog2N || *r < 1 || *r > kMaxR || *p < 1 || *p > kMaxP) return std::nullopt;
    if (128ull * uint64_t(*r) << *n > kMaxMemory) return std::nullopt;
    if (salt->size() < 8 || salt->size() > 64 || key->size() < 16 || key->size() > 64) return std::nullopt;
    return Encoded{*n, *r, *p, std::move(*salt), std::move(*key)};
}

std::string scrypt(std::string_view password, std::string_view salt, int log2N, int r, int p, size_t keyBytes) {
    std::string key(keyBytes, '\0');
    if (EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                       salt.size(), uint64_t(1) << log2N, uint64_t(r), uint64_t(p), kMaxMemory + (8u << 20),
                       reinterpret_cast<unsigned char*>(key.data()), key.size()) != 1)
        throw std::runtime_error("scrypt failed");
    return key;
}
}  // namespace

std::string hashPassword(std::string_view password) {
    std::string salt = randomBytes(kSaltBytes);
    std::string key = scrypt(password, salt, kLog2N, kR, kP, kKeyBytes);
    std::string out = "scrypt$" + std::to_string(kLog2N) + "$" + std::to_string(kR) + "$" + std::to_string(kP) +
                      "$" + base64(salt) + "$" + base64(key);
    secureZero(key);
    return out;
}

bool verifyPassword(std::string_view password, const std::string& encoded) {
    auto e = parse(encoded);
    if (!e) return false;
    std::string key = scrypt(password, e->salt, e->log2N, e->r, e->p, e->key.size());
    bool same = constantTimeEqual(key, e->key);
    secureZero(key);
    return same;
}

bool passwordNeedsRehash(const std::string& encoded) {
    auto e = parse(encoded);
    return !e || e->log2N < kLog2N || e->r < kR || e->p < kP || e->salt.size() < kSaltBytes ||
           e->key.size() < kKeyBytes;
}

}  // namespace kh::crypto
