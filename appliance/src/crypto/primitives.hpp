// Thin OpenSSL wrappers: random bytes, SHA-256, HMAC-SHA256, AES-256-GCM, secure zeroing.
// Byte strings are std::string (binary-safe); keys are 32 bytes.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kh::crypto {

std::string randomBytes(size_t n);
std::string uuid4();  // RFC 4122 version 4, lower-case text
// RFC 9562 version 7, lower-case text: the Unix time in milliseconds first, then a counter, so ids made one
// after another in this process sort in the order they were made (names derived from them do too).
std::string uuid7();

std::string sha256(std::string_view data);
// SHA-256 of data that arrives in parts (a firmware bundle streamed to disk).
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view part);
    std::string finish();  // the 32-byte digest; the object is spent

private:
    void* ctx_;  // EVP_MD_CTX
};
std::string hmacSha256(std::string_view key, std::string_view data);
std::string hex(std::string_view bytes);
bool constantTimeEqual(std::string_view a, std::string_view b);

// AES-256-GCM. Sealed form: 12-byte nonce | ciphertext | 16-byte tag. `aad` binds the ciphertext to
// its place (table and row key), so a payload copied to another row does not open.
std::string sealAesGcm(std::string_view key, std::string_view plaintext, std::string_view aad);
std::optional<std::string> openAesGcm(std::string_view key, std::string_view sealed, std::string_view aad);

void secureZero(void* p, size_t n);
void secureZero(std::string& s);

}  // namespace kh::crypto
