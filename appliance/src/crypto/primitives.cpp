#include "crypto/primitives.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace kh::crypto {
namespace {
constexpr size_t kNonce = 12, kTag = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx newCipher() {
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
    return ctx;
}

const unsigned char* u(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* u(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
}  // namespace

std::string randomBytes(size_t n) {
    std::string out(n, '\0');
    if (n && RAND_bytes(u(out), int(n)) != 1) throw std::runtime_error("RAND_bytes failed");
    return out;
}

std::string uuid4() {
    std::string b = randomBytes(16);
    b[6] = char((b[6] & 0x0F) | 0x40);
    b[8] = char((b[8] & 0x3F) | 0x80);
    std::string h = hex(b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::string uuid7() {
    // 48 bits of milliseconds and a 12-bit counter (RFC 9562 §6.2, method 1): within one millisecond the
    // counter orders the ids; when it runs out the time is carried forward, never backward.
    static std::mutex mutex;
    static uint64_t lastMillis = 0;
    static uint32_t counter = 0;
    uint64_t millis = uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count());
    {
        std::lock_guard<std::mutex> l(mutex);
        if (millis <= lastMillis) {
            millis = lastMillis;
            if (++counter > 0xFFF) {
                ++millis;
                counter = 0;
            }
        } else {
            counter = 0;
        }
        lastMillis = millis;
    }
    std::string b = randomBytes(16);
    for (int i = 0; i < 6; ++i) b[i] = char((millis >> (40 - 8 * i)) & 0xFF);
    b[6] = char(0x70 | ((counter >> 8) & 0x0F));
    b[7] = char(counter & 0xFF);
    b[8] = char((b[8] & 0x3F) | 0x80);
    std::string h = hex(b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::string sha256(std::string_view data) {
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    SHA256(u(data), data.size(), u(out));
    return out;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
        throw std::runtime_error("SHA-256 unavailable");
    }
}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256::update(std::string_view part) {
    if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), part.data(), part.size()) != 1)
        throw std::runtime_error("SHA-256 update failed");
}
std::string Sha256::finish() {
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), u(out), &len) != 1) throw std::runtime_error("SHA-256 failed");
    return out;
}

std::string hmacSha256(std::string_view key, std::string_view data) {
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), int(key.size()), u(data), data.size(), u(out), &len))
        throw std::runtime_error("HMAC failed");
    out.resize(len);
    return out;
}

std::string hex(std::string_view bytes) {
    static const char* d = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += d[c >> 4];
        out += d[c & 15];
    }
    return out;
}

bool constantTimeEqual(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sealAesGcm(std::string_view key, std::string_view plaintext, std::string_view aad) {
    if (key.size() != 32) throw std::invalid_argument("AES-256 key must be 32 bytes");
    std::string out = randomBytes(kNonce);
    out.resize(kNonce + plaintext.size() + kTag);
    auto ctx = newCipher();
    int len = 0;
    bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key), u(std::string_view(out).substr(0, kNonce))) == 1 &&
              EVP_EncryptUpdate(ctx.get(), nullptr, &len, u(aad), int(aad.size())) == 1 &&
              EVP_EncryptUpdate(ctx.get(), u(out) + kNonce, &len, u(plaintext), int(plaintext.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx.get(), u(out) + kNonce + len, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, u(out) + kNonce + plaintext.size()) == 1;
    if (!ok) throw std::runtime_error("AES-GCM encryption failed");
    return out;
}

std::optional<std::string> openAesGcm(std::string_view key, std::string_view sealed, std::string_view aad) {
    if (key.size() != 32 || sealed.size() < kNonce + kTag) return std::nullopt;
    size_t n = sealed.size() - kNonce - kTag;
    std::string out(n, '\0');
    std::string tag(sealed.substr(kNonce + n));
    auto ctx = newCipher();
    int len = 0;
    bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key), u(sealed.substr(0, kNonce))) == 1 &&
              EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(aad), int(aad.size())) == 1 &&
              EVP_DecryptUpdate(ctx.get(), u(out), &len, u(sealed.substr(kNonce, n)), int(n)) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, u(tag)) == 1 &&
              EVP_DecryptFinal_ex(ctx.get(), u(out) + len, &len) == 1;
    if (!ok) {
        secureZero(out);
        return std::nullopt;
    }
    return out;
}

void secureZero(void* p, size_t n) { OPENSSL_cleanse(p, n); }
void secureZero(std::string& s) { OPENSSL_cleanse(s.data(), s.size()); }

}  // namespace kh::crypto
