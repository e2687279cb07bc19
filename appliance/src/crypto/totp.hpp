// Time-based one-time passwords for the web admin's second factor: TOTP (RFC 6238) over HOTP (RFC 4226)
// with HMAC-SHA1, 6 digits and 30-second steps — what every authenticator app reads from an otpauth:// QR
// code — and the base32 text (RFC 4648) such apps use for the secret.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kh::crypto {

constexpr int kTotpDigits = 6;
constexpr int64_t kTotpPeriodSeconds = 30;

std::string newTotpSecret();  // 20 random bytes (160 bits, the size RFC 4226 recommends)

std::string base32Encode(std::string_view bytes);                 // upper case, no padding
std::optional<std::string> base32Decode(std::string_view text);  // also lower case, spaces and '=' padding

int64_t totpStep(int64_t unixSeconds);  // the 30-second step a moment falls in
std::string totpCode(std::string_view secret, int64_t unixSeconds);  // 6 digits, zero-padded

// The step whose code `code` is, looking `window` steps either side of now (clock drift); codes are
// compared in constant time. The caller refuses a step it has already accepted (replay).
std::optional<int64_t> totpStepMatching(std::string_view secret, const std::string& code, int64_t unixSeconds,
                                        int window = 1);

// otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30, for the QR code.
std::string otpauthUri(const std::string& issuer, const std::string& account, std::string_view secret);

}  // namespace kh::crypto
