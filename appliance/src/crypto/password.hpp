// Password hashing of web-admin accounts: scrypt (RFC 7914) through OpenSSL, in a self-describing text
// form `scrypt$<log2 N>$<r>$<p>$<salt>$<key>` (unpadded base64), so the cost can be raised later and old
// rows rehashed at their next login.
#pragma once
#include <string>
#include <string_view>

namespace kh::crypto {

// Current cost: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s), 16-byte random salt, 32-byte key.
std::string hashPassword(std::string_view password);

// Constant-time comparison of the derived key. False for any malformed form and for a cost above the
// limits (log2 N > 20, r > 16, p > 4, more than 128 MiB), so a tampered row cannot stall a login.
bool verifyPassword(std::string_view password, const std::string& encoded);

// True when `encoded` is weaker than the current cost (or not readable at all).
bool passwordNeedsRehash(const std::string& encoded);

}  // namespace kh::crypto
