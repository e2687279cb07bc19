// Bytes sealed with a passphrase an administrator chooses, for files that leave the box (backups): a key
// derived with scrypt from the passphrase and a random salt, AES-256-GCM over the bytes, and the header
// (magic, cost, salt) bound as associated data, so no byte of the file can change unnoticed.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace kh::crypto {

// "KKHBK1" | log2 N | r | p | 16-byte salt | 12-byte nonce | ciphertext | 16-byte tag.
// Current cost: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s).
std::string sealWithPassphrase(std::string_view passphrase, std::string_view plaintext);

// nullopt for a wrong passphrase, any changed, missing or added byte, another magic, and a cost beyond
// the limits (log2 N 10..20, r 1..16, p 1..4, at most 128 MiB), so a crafted file cannot stall the box.
std::optional<std::string> openWithPassphrase(std::string_view passphrase, std::string_view sealed);

}  // namespace kh::crypto
