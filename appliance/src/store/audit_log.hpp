// The audit log (監査ログ): the box's legal record of who viewed or did what — every view of patient data
// (card-check results) and every admin change. Subjects and details carry ids, methods and outcomes only,
// never patient data.
//
// Chain and checkpoints. Each row's hash is an HMAC with the audit key (store/audit_chain.hpp), which is
// in the key folder, never in the database. A checkpoint — the last row, its hash, the number of rows so
// far, the time, authenticated with the same key — is made every `checkpointEveryRows` rows, at least
// every `checkpointEverySeconds` while rows were added, at shutdown, and after a seal or a prune. It is
// kept in audit_checkpoints AND written out of the database: as an `audit.checkpoint` line in the log
// (journald) and to the anchor file `audit-anchor.json` beside the database (tmp + fsync + rename). A
// backup carries the newest one too.
//
// What someone who can write the SQLite file, but cannot read the key file, can and cannot do:
// - change, insert, reorder or renumber a row, or rechain the rows with any formula and any key but the
//   box's: found (the first such row's HMAC does not hold);
// - delete rows in the middle: found (a gap in the ids, and the next row does not follow);
// - delete rows from the end: found when a checkpoint covers them (it names a row or a count the table
//   no longer reaches). Rows added since the newest checkpoint — at most `checkpointEveryRows` rows or
//   one hour's worth while the box runs, none once it has stopped cleanly — can go unnoticed;
// - delete or roll back checkpoints to match: found by the anchor file, whose checkpoint the table must
//   hold (a forged checkpoint or anchor never holds its tag);
// - with write access to the state folder as well, put back an older genuine anchor file together with
//   an older copy of the database: not found by the box alone. The `audit.checkpoint` lines in the
//   journal (`kakehashi audit verify --log FILE`) and in backups are the witnesses that remain.
// Whoever holds the audit key can rewrite everything the box holds; the journal and backups kept off the
// box are then the only record.
//
// Sealing a legacy chain. Rows written before the audit key (a plain SHA-256 chain, schema 0008) are
// checked once, at the first start that finds neither a checkpoint nor an anchor file, and re-hashed into
// the keyed chain up to the first row where the legacy chain breaks, if any: from that row on they are
// kept exactly as found, so they stay reported as broken — a broken chain is never laundered. The seal
// is recorded as an `audit.chain-sealed` row and a checkpoint.
//
// Retention. The audit log holds no patient data and is kept `retention.auditDays` (5 years by default).
// Rows are removed only as a whole prefix that ends at a checkpoint made before the retention period
// began; that checkpoint stays as the base the rest of the chain starts from, checkpoints before it go,
// and an `audit.pruned` row and a new checkpoint record the removal (so removing a prefix by hand is
// still found: the newest checkpoint says how far rows were pruned).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/audit_chain.hpp"
#include "store/audit_verify.hpp"
#include "store/store.hpp"

namespace kh::store {

struct AuditPolicy {
    int64_t checkpointEveryRows = 100;
    int64_t checkpointEverySeconds = 3600;
};

// The newest row of audit_checkpoints, its tag unchecked (a backup carries it as it is).
std::optional<AuditCheckpoint> newestAuditCheckpoint(Connection& conn);
std::optional<AuditCheckpoint> newestAuditCheckpoint(Database& db);

class AuditLog {
public:
    // Seals a legacy chain once (see above), so a box keeps its history across the upgrade.
    explicit AuditLog(Store& store, AuditPolicy policy = {});
    void append(const std::string& actor, const std::string& action, const std::string& subject, const std::string& detail);
    std::vector<AuditEntry> recent(const std::string& action = "", int limit = 100);  // newest first

    // A checkpoint of the rows added since the newest one (nullopt when there are none), written to the
    // table, the log and the anchor file. Called at shutdown.
    std::optional<AuditCheckpoint> checkpoint();
    // The same when `checkpointEveryRows` rows were added, or any row and the newest checkpoint is
    // `checkpointEverySeconds` old. Called after each row and by the gateway every minute.
    void checkpointIfDue(int64_t now);
    std::optional<AuditCheckpoint> newestCheckpoint();
    // Removes the rows older than `retentionDays` as described above (0: keep everything); returns how
    // many rows were removed.
    int64_t pruneExpired(int64_t now, int retentionDays);

    // The chain checked against the key, the checkpoints, the anchor file and the `audit.checkpoint`
    // lines among `logLines` (other lines are ignored).
    AuditVerdict verify(const std::vector<std::string>& logLines = {});
    const std::string& anchorPath() const { return anchorPath_; }

private:
    void sealLegacyChain();
    AuditEntry appendLocked(Connection& conn, const std::string& actor, const std::string& action, const std::string& subject,
                            const std::string& detail);
    std::optional<AuditCheckpoint> newestLocked(Connection& conn);
    int64_t lastRowLocked(Connection& conn);
    AuditCheckpoint checkpointLocked(Connection& conn, std::optional<int64_t> prunedThrough = std::nullopt);
    void publish(const AuditCheckpoint& c);

    Store& store_;
    AuditPolicy policy_;
    std::string anchorPath_;
};

}  // namespace kh::store
