// The second factor's recovery codes: ten per enrolment, each "xxxx-xxxx" in Crockford's base32 (lower
// case, no i, l, o or u to misread), 40 random bits, each good for one sign-in. How they are kept (keyed
// hashes, one row each) is the store's business.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kh::model {

constexpr int kRecoveryCodesPerEnrolment = 10;
constexpr size_t kRecoveryCodeRandomBytes = 8;  // 5 bits of each byte are used

// The code made of `random` (kRecoveryCodeRandomBytes bytes from a cryptographic source).
std::string recoveryCodeFrom(std::string_view random);

// A recovery code as typed — any case, with or without its dash, o/i/l for 0/1/1 — in its canonical form
// "xxxx-xxxx"; nullopt when it cannot be one.
std::optional<std::string> canonicalRecoveryCode(std::string_view typed);

}  // namespace kh::model
