// The data key of patient payloads: made at first start (0600, written by tmp + fsync + rename), then
// loaded. It holds two independent 32-byte keys: one for AES-256-GCM sealing, one for the HMAC blind index.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace kh::store {

class DataKey {
public:
    static DataKey loadOrCreate(const std::string& keyDir);
    DataKey(std::string sealKey, std::string indexKey);
    ~DataKey();
    DataKey(DataKey&&) = default;

    // Seal / open a payload bound to its place (`aad`, e.g. "cache" or "journal:123").
    std::string seal(std::string_view plaintext, std::string_view aad) const;
    std::string open(std::string_view sealed, std::string_view aad) const;  // throws on tampering
    // Blind index of an insured identity: HMAC over the normalised parts, separated by 0x1F.
    std::string blindIndex(const std::vector<std::string>& normalisedParts) const;

private:
    std::string sealKey_, indexKey_;
};

}  // namespace kh::store
