// The audit log's chain, as formulas: what a row's hash and a checkpoint's tag are, and a checkpoint as
// one JSON line (the form the log and the anchor file carry it in, and read back from either).
//
// A row's hash is HMAC-SHA256(audit key, its id, the hash of the row before it, and its fields), so a
// row cannot be changed, moved or made up without the key. A checkpoint names the last row it covers, that
// row's hash and how many rows the log had by then, authenticated with the same key. The plain SHA-256
// chain of schema 0008 (before the audit key) is kept as `legacyRowHash`, to check a legacy chain once
// before it is sealed into the keyed one.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/data_key.hpp"

namespace kh::store {

struct AuditEntry {
    int64_t id = 0, at = 0;
    std::string actor, action, subject, detail, prevHash, hash;
};

struct AuditCheckpoint {
    int64_t id = 0;             // its number
    int64_t at = 0;             // when it was made, unix seconds
    int64_t rowId = 0;          // the last row it covers (0: none yet)
    int64_t rowCount = 0;       // rows appended up to rowId, pruned ones included
    std::string chain;          // rowId's hash (kChainStart when rowId is 0)
    int64_t prunedThrough = 0;  // rows up to this id were removed by retention
    std::string tag;            // hex HMAC of the fields above
};

// The "hash before the first row".
extern const std::string kChainStart;

std::string keyedRowHash(const AuditKey& key, const AuditEntry& e);
std::string legacyRowHash(const AuditEntry& e);
std::string checkpointTag(const AuditKey& key, const AuditCheckpoint& c);

// {"event":"audit.checkpoint","checkpoint":"7","at":…,"row":…,"count":…,"chain":…,"prunedThrough":…,"tag":…}
// — the anchor file's content; the log line has the same fields (with its time stamp and level).
std::string checkpointLine(const AuditCheckpoint& c);
// A checkpoint from a log line or the anchor file: nullopt when the line is not an audit.checkpoint event
// or a field is missing or malformed. The tag is not checked here.
std::optional<AuditCheckpoint> parseCheckpointLine(std::string_view line);

}  // namespace kh::store
