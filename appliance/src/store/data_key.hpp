// The box's keys, made at first start and then loaded. This part is the one place that knows their names
// and where they lie.
//
// - The data key (data.key) holds two independent 32-byte keys: one for AES-256-GCM sealing of patient
//   payloads, one for the HMAC blind index. A backup carries it, and a restore replaces it.
// - The audit key (audit.key) is a third, independent 32-byte key: the HMAC key of the audit log's chain
//   and checkpoints (store/audit_chain.hpp). It is a key of its own, not derived from the data key,
//   because the audit trail is the box's own record: a restore replaces the data key but keeps the audit
//   log, which must still verify afterwards, and a backup (sealed only with a passphrase people choose)
//   carries the data key, but must not carry the power to forge the box's audit rows.
//
// Where they are read from:
// - Sealed (the appliance): systemd decrypts data.key.cred and audit.key.cred (systemd-creds, sealed to
//   the TPM by the root helper kakehashi-keys.service, firmware/README.md) into the unit's credential
//   folder, $CREDENTIALS_DIRECTORY, a ramfs that is never swapped or written to disk. The gateway reads
//   them only there and never makes a key: a key that is missing there stops it, since a new key would
//   leave everything the store sealed unreadable. The helper leaves the note `sealed` in the key folder,
//   so a process started without the credentials (the CLI by hand) is refused instead of making a key.
// - In clear (a package install without the helper): the files data.key and audit.key in the key folder
//   (0600 in a 0700 folder of the gateway's own user; made by tmp + fsync + rename at first start). Anyone
//   who copies the folder can open the store: the gateway says so in a warning at start.
// Either way the key folder and its files must belong to the gateway's user and be closed to group and
// others, or the gateway refuses to start.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kh::store {

// Whether this process takes its keys from systemd's credential folder ($CREDENTIALS_DIRECTORY is set).
bool keysFromCredentials();
// Logs once, at start, a warning that the keys lie in clear in `keyDir` when they are not credentials.
void warnWhenKeysInClear(const std::string& keyDir);

class DataKey {
public:
    static constexpr size_t kBytes = 64;  // seal key | index key: the file's layout and a backup's `dataKey`

    static DataKey loadOrCreate(const std::string& keyDir);
    // The key's bytes as the box holds them now (for a backup and a restore's comparison): the credential
    // when sealed, else the key file; nullopt when there is none or it is not a key.
    static std::optional<std::string> currentBytes(const std::string& keyDir);
    // A restore's key, written durably to the key file. When the keys are credentials it is written raw
    // only until the next start, whose root helper seals it and removes the file (the running process
    // still holds the old credential: see replaceTakesRestart). Throws std::invalid_argument when `bytes`
    // is not kBytes long.
    static void replace(const std::string& keyDir, std::string_view bytes);
    // Undoes replace() when what it belonged to failed; `previous` is what currentBytes() gave before it.
    static void undoReplace(const std::string& keyDir, std::string_view previous);
    // Whether a replaced key is used only after this process starts again (sealed first).
    static bool replaceTakesRestart() { return keysFromCredentials(); }

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
