// Base64 (RFC 4648) for the byte strings Kakehashi writes as text: password hashes, session tokens,
// JSON members, backups. One encoder, so every part reads what every other part writes.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace kh::crypto {

enum class Base64Alphabet { Standard, Url };  // "+/" or "-_" (safe in cookies and URLs)

std::string base64Encode(std::string_view bytes, Base64Alphabet alphabet = Base64Alphabet::Standard, bool pad = true);
// Accepts the text with or without '=' padding (only without when `padding` is false: one text per byte
// string, for stored hashes); nullopt for any other character or stray bits.
std::optional<std::string> base64Decode(std::string_view text, Base64Alphabet alphabet = Base64Alphabet::Standard,
                                        bool padding = true);

}  // namespace kh::crypto
