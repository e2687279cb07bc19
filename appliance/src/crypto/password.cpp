#include "crypto/password.hpp"

#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "crypto/encoding.hpp"
#include "crypto/primitives.hpp"

namespace kh::crypto {
namespace {
constexpr int kLog2N = 15, kR = 8, kP = 1;
constexpr size_t kSaltBytes = 16, kKeyBytes = 32;
constexpr int kMaxLog2N = 20, kMaxR = 16, kMaxP = 4;
constexpr uint64_t kMaxMemory = 128ull << 20;  // scrypt's V array is 128 * r * N bytes

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
    auto salt = base64Decode(parts[4], Base64Alphabet::Standard, false),
         key = base64Decode(parts[5], Base64Alphabet::Standard, false);
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
                      "$" + base64Encode(salt, Base64Alphabet::Standard, false) + "$" +
                      base64Encode(key, Base64Alphabet::Standard, false);
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
