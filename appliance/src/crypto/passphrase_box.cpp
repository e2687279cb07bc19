#include "crypto/passphrase_box.hpp"

#include <openssl/evp.h>

#include <cstdint>
#include <stdexcept>

#include "crypto/primitives.hpp"

namespace kh::crypto {
namespace {
constexpr std::string_view kMagic = "KKHBK1";
constexpr uint8_t kLog2N = 15, kR = 8, kP = 1;
constexpr size_t kSaltBytes = 16, kKeyBytes = 32;
constexpr size_t kHeaderBytes = kMagic.size() + 3 + kSaltBytes;
constexpr size_t kSealOverhead = 12 + 16;  // sealAesGcm's nonce and tag
constexpr uint8_t kMinLog2N = 10, kMaxLog2N = 20, kMaxR = 16, kMaxP = 4;
constexpr uint64_t kMaxMemory = 128ull << 20;  // scrypt's V array is 128 * r * N bytes

struct Cost {
    uint8_t log2N, r, p;
};

bool withinLimits(const Cost& c) {
    return c.log2N >= kMinLog2N && c.log2N <= kMaxLog2N && c.r >= 1 && c.r <= kMaxR && c.p >= 1 && c.p <= kMaxP &&
           (128ull * c.r << c.log2N) <= kMaxMemory;
}

std::string deriveKey(std::string_view passphrase, std::string_view salt, const Cost& c) {
    std::string key(kKeyBytes, '\0');
    if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                       salt.size(), uint64_t(1) << c.log2N, c.r, c.p, kMaxMemory + (8u << 20),
                       reinterpret_cast<unsigned char*>(key.data()), key.size()) != 1)
        throw std::runtime_error("scrypt failed");
    return key;
}

std::string header(const Cost& c, std::string_view salt) {
    std::string h(kMagic);
    h += char(c.log2N);
    h += char(c.r);
    h += char(c.p);
    h += salt;
    return h;
}
}  // namespace

std::string sealWithPassphrase(std::string_view passphrase, std::string_view plaintext) {
    Cost cost{kLog2N, kR, kP};
    std::string out = header(cost, randomBytes(kSaltBytes));
    std::string key = deriveKey(passphrase, std::string_view(out).substr(kMagic.size() + 3), cost);
    out += sealAesGcm(key, plaintext, out);  // the whole header is the associated data
    secureZero(key);
    return out;
}

std::optional<std::string> openWithPassphrase(std::string_view passphrase, std::string_view sealed) {
    if (sealed.size() < kHeaderBytes + kSealOverhead || sealed.substr(0, kMagic.size()) != kMagic) return std::nullopt;
    Cost cost{uint8_t(sealed[kMagic.size()]), uint8_t(sealed[kMagic.size() + 1]), uint8_t(sealed[kMagic.size() + 2])};
    if (!withinLimits(cost)) return std::nullopt;
    std::string_view head = sealed.substr(0, kHeaderBytes);
    std::string key = deriveKey(passphrase, head.substr(kMagic.size() + 3), cost);
    auto plain = openAesGcm(key, sealed.substr(kHeaderBytes), head);
    secureZero(key);
    return plain;
}

}  // namespace kh::crypto
