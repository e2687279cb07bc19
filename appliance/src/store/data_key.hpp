// The box's keys, each in its file in the key folder (0600, written by tmp + fsync + rename), made at
// first start and then loaded. This part is the one place that knows those files' names and layout.
//
// - The data key (data.key) holds two independent 32-byte keys: one for AES-256-GCM sealing of patient
//   payloads, one for the HMAC blind index. A backup carries it, and a restore replaces it.
// - The audit key (audit.key) is a third, independent 32-byte key: the HMAC key of the audit log's chain
//   and checkpoints (store/audit_chain.hpp). It is a key of its own, not derived from the data key,
//   because the audit trail is the box's own record: a restore replaces the data key but keeps the audit
//   log, which must still verify afterwards, and a backup (sealed only with a passphrase people choose)
//   carries the data key, but must not carry the power to forge the box's audit rows.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kh::store {

class DataKey {
public:
    static constexpr size_t kBytes = 64;  // seal key | index key: the file's layout and a backup's `dataKey`

    static DataKey loadOrCreate(const std::string& keyDir);
    // The key file's bytes as they are (for a backup); nullopt when there is none or it is not a key.
    static std::optional<std::string> fileBytes(const std::string& keyDir);
    // Replaces the key file durably (a restore). Throws std::invalid_argument when `bytes` is not kBytes long.
    static void replaceFile(const std::string& keyDir, std::string_view bytes);

    DataKey(std::string sealKey, std::string indexKey);
    ~DataKey();
    DataKey(DataKey&&) = default;

    // Seal / open a payload bound to its place (`aad`, e.g. "cache" or "journal:123").
    std::string seal(std::string_view plaintext, std::string_view aad) const;
    std::string open(std::string_view sealed, std::string_view aad) const;  // throws on tampering
    // Blind index of an insured identity: HMAC over the normalised parts, separated by 0x1F.
    std::string blindIndex(const std::vector<std::string>& normalisedParts) const;
    // Whether `bytes` (as in the file) are this key; constant time.
    bool holds(std::string_view bytes) const;

private:
    std::string sealKey_, indexKey_;
};

class AuditKey {
public:
    static AuditKey loadOrCreate(const std::string& keyDir);
    explicit AuditKey(std::string key);
    ~AuditKey();
    AuditKey(AuditKey&&) = default;

    // Hex HMAC-SHA256 of `message` under the audit key.
    std::string tag(std::string_view message) const;

private:
    std::string key_;
};

}  // namespace kh::store
