#include "store/audit_log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "base/files.hpp"
#include "base/log.hpp"

namespace kh::store {
namespace {
constexpr const char* kAnchorFile = "audit-anchor.json";
constexpr const char* kBoxActor = "kakehashi";  // rows the box writes about its own log
constexpr int kSealChunk = 500;                 // legacy rows re-hashed per read

std::string anchorBeside(const std::string& databasePath) {
    auto slash = databasePath.rfind('/');
    return slash == std::string::npos ? kAnchorFile : databasePath.substr(0, slash + 1) + kAnchorFile;
}

// The CLI run by root must not leave an anchor file that the gateway, which owns the database, cannot read.
void ownLikeDatabase(const std::string& path, const std::string& databasePath) {
    struct stat st {};
    if (::geteuid() != 0 || ::stat(databasePath.c_str(), &st) != 0 || st.st_uid == 0) return;
    if (::chown(path.c_str(), st.st_uid, st.st_gid) != 0) log::warn("audit.anchor_owner_unchanged", {{"anchor", path}});
}

AuditEntry entryOf(Statement& st) {
    return {st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7)};
}

const char* kCheckpointColumns = "SELECT id, at, row_id, row_count, chain, pruned_through, tag FROM audit_checkpoints ";

AuditCheckpoint checkpointOf(Statement& st) {
    return {st.int64(0), st.int64(1), st.int64(2), st.int64(3), st.text(4), st.int64(5), st.text(6)};
}
}  // namespace

AuditLog::AuditLog(Store& store, AuditPolicy policy) : store_(store), policy_(policy), anchorPath_(anchorBeside(store.path())) {
    sealLegacyChain();
}

AuditEntry AuditLog::appendLocked(Connection& conn, const std::string& actor, const std::string& action,
                                  const std::string& subject, const std::string& detail) {
    AuditEntry e{1, nowSeconds(), actor, action, subject, detail, kChainStart, ""};
    auto last = conn.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
    if (last.step()) {
        e.id = last.int64(0) + 1;
        e.prevHash = last.text(1);
    } else if (auto base = newestLocked(conn)) {  // every row pruned or gone: go on from the newest checkpoint
        e.id = base->rowId + 1;
        e.prevHash = base->chain;
    }
    e.hash = keyedRowHash(store_.auditKey(), e);
    conn.prepare("INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) VALUES(?,?,?,?,?,?,?,?)")
        .bind(1, e.id).bind(2, e.at).bind(3, e.actor).bind(4, e.action).bind(5, e.subject).bind(6, e.detail)
        .bind(7, e.prevHash).bind(8, e.hash)
        .run();
    return e;
}

void AuditLog::append(const std::string& actor, const std::string& action, const std::string& subject,
                      const std::string& detail) {
    {
        Transaction tx(store_.db());
        appendLocked(tx, actor, action, subject, detail);
        tx.commit();
    }
    checkpointIfDue(nowSeconds());
}

std::vector<AuditEntry> AuditLog::recent(const std::string& action, int limit) {
    std::vector<AuditEntry> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare(
        "SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log "
        "WHERE (?1 = '' OR action = ?1) ORDER BY id DESC LIMIT ?2");
    st.bind(1, action).bind(2, limit);
    while (st.step()) out.push_back(entryOf(st));
    return out;
}

std::optional<AuditCheckpoint> newestAuditCheckpoint(Connection& conn) {
    auto st = conn.prepare(std::string(kCheckpointColumns) + "ORDER BY id DESC LIMIT 1");
    if (!st.step()) return std::nullopt;
    return checkpointOf(st);
}

std::optional<AuditCheckpoint> newestAuditCheckpoint(Database& db) {
    auto conn = db.lock();
    return newestAuditCheckpoint(conn);
}

std::optional<AuditCheckpoint> AuditLog::newestLocked(Connection& conn) { return newestAuditCheckpoint(conn); }

std::optional<AuditCheckpoint> AuditLog::newestCheckpoint() {
    auto conn = store_.db().lock();
    return newestLocked(conn);
}

// Caller holds a transaction. The count goes on from the newest checkpoint: the rows pruned before it are
// counted in it, and the ids after it follow one another.
AuditCheckpoint AuditLog::checkpointLocked(Connection& conn, std::optional<int64_t> prunedThrough) {
    auto newest = newestLocked(conn);
    AuditCheckpoint c;
    c.at = nowSeconds();
    c.rowId = newest ? newest->rowId : 0;
    c.chain = newest ? newest->chain : kChainStart;
    c.prunedThrough = prunedThrough.value_or(newest ? newest->prunedThrough : 0);
    {
        auto last = conn.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
        if (last.step() && last.int64(0) > c.rowId) {
            c.rowId = last.int64(0);
            c.chain = last.text(1);
        }
    }
    {
        auto count = conn.prepare("SELECT COUNT(*) FROM audit_log WHERE id > ? AND id <= ?");
        count.bind(1, newest ? newest->rowId : int64_t(0)).bind(2, c.rowId);
        count.step();
        c.rowCount = (newest ? newest->rowCount : 0) + count.int64(0);
    }
    c.id = newest ? newest->id + 1 : 1;
    c.tag = checkpointTag(store_.auditKey(), c);
    conn.prepare("INSERT INTO audit_checkpoints(id, at, row_id, row_count, chain, pruned_through, tag) VALUES(?,?,?,?,?,?,?)")
        .bind(1, c.id).bind(2, c.at).bind(3, c.rowId).bind(4, c.rowCount).bind(5, c.chain).bind(6, c.prunedThrough)
        .bind(7, c.tag)
        .run();
    return c;
}

// After the commit: the anchor file first, then the log line (at any log level: it is a witness). The
// caller still holds the database's lock, so two checkpoints never reach the anchor file out of order.
void AuditLog::publish(const AuditCheckpoint& c) {
    base::writeFileDurably(anchorPath_, checkpointLine(c) + "\n", 0600);
    ownLikeDatabase(anchorPath_, store_.path());
    log::record("audit.checkpoint", {{"checkpoint", std::to_string(c.id)},
                                   {"at", std::to_string(c.at)},
                                   {"row", std::to_string(c.rowId)},
                                   {"count", std::to_string(c.rowCount)},
                                   {"chain", c.chain},
                                   {"prunedThrough", std::to_string(c.prunedThrough)},
                                   {"tag", c.tag}});
}

std::optional<AuditCheckpoint> AuditLog::checkpoint() {
    auto conn = store_.db().lock();
    AuditCheckpoint made;
    {
        Transaction tx(store_.db());
        auto newest = newestLocked(tx);
        if (newest && lastRowLocked(tx) <= newest->rowId) return std::nullopt;
        made = checkpointLocked(tx);
        tx.commit();
    }
    publish(made);
    return made;
}

// The newest row's id, 0 when there is none.
int64_t AuditLog::lastRowLocked(Connection& conn) {
    auto last = conn.prepare("SELECT COALESCE(MAX(id), 0) FROM audit_log");
    last.step();
    return last.int64(0);
}

void AuditLog::checkpointIfDue(int64_t now) {
    auto conn = store_.db().lock();
    auto newest = newestLocked(conn);
    int64_t added = lastRowLocked(conn) - (newest ? newest->rowId : 0);
    if (added <= 0) return;
    if (!newest || added >= policy_.checkpointEveryRows || now - newest->at >= policy_.checkpointEverySeconds) checkpoint();
}

void AuditLog::sealLegacyChain() {
    auto conn = store_.db().lock();
    AuditCheckpoint made;
    int64_t rows = 0;
    std::optional<int64_t> brokenFrom;
    {
        Transaction tx(store_.db());
        if (newestLocked(tx)) return;  // sealed before
        if (base::tryReadFile(anchorPath_)) {
            // The anchor names checkpoints the table no longer has: never seal again (that would launder
            // whatever was done to the rows); verify reports it.
            log::error("audit.checkpoints_missing", {{"anchor", anchorPath_}});
            return;
        }
        std::string legacyPrev = kChainStart, keyedPrev = kChainStart;
        int64_t expectedId = 1, after = 0;
        while (true) {
            std::vector<AuditEntry> chunk;
            {
                auto st = tx.prepare("SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log "
                                     "WHERE id > ? ORDER BY id LIMIT ?");
                st.bind(1, after).bind(2, int64_t(kSealChunk));
                while (st.step()) chunk.push_back(entryOf(st));
            }
            if (chunk.empty()) break;
            for (auto& e : chunk) {
                ++rows;
                after = e.id;
                if (!brokenFrom && (e.id != expectedId || e.prevHash != legacyPrev || legacyRowHash(e) != e.hash))
                    brokenFrom = e.id;
                expectedId = e.id + 1;
                legacyPrev = e.hash;
                if (brokenFrom) continue;  // kept exactly as found from the first broken row on
                e.prevHash = keyedPrev;
                e.hash = keyedRowHash(store_.auditKey(), e);
                keyedPrev = e.hash;
                tx.prepare("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?")
                    .bind(1, e.prevHash).bind(2, e.hash).bind(3, e.id)
                    .run();
            }
        }
        if (rows > 0)
            appendLocked(tx, kBoxActor, "audit.chain-sealed", "audit",
                         "legacy rows=" + std::to_string(rows) +
                             (brokenFrom ? " broken-from=" + std::to_string(*brokenFrom) + " (kept as found)" : " intact"));
        made = checkpointLocked(tx);
        tx.commit();
    }
    publish(made);
    if (brokenFrom)
        log::warn("audit.legacy_chain_broken", {{"row", std::to_string(*brokenFrom)}, {"rows", std::to_string(rows)}});
    else if (rows > 0)
        log::info("audit.legacy_chain_sealed", {{"rows", std::to_string(rows)}});
}

int64_t AuditLog::pruneExpired(int64_t now, int retentionDays) {
    if (retentionDays <= 0) return 0;
    auto conn = store_.db().lock();
    AuditCheckpoint made, base;
    int64_t removed = 0;
    {
        Transaction tx(store_.db());
        auto newest = newestLocked(tx);
        if (!newest) return 0;
        {
            auto st = tx.prepare(std::string(kCheckpointColumns) +
                                 "WHERE at < ? AND row_id > ? ORDER BY id DESC LIMIT 1");
            st.bind(1, now - int64_t(retentionDays) * 86400).bind(2, newest->prunedThrough);
            if (!st.step()) return 0;
            base = checkpointOf(st);
        }
        // Only a checkpoint the box made decides what goes.
        if (checkpointTag(store_.auditKey(), base) != base.tag) {
            log::error("audit.prune_refused", {{"checkpoint", std::to_string(base.id)}});
            return 0;
        }
        tx.prepare("DELETE FROM audit_log WHERE id <= ?").bind(1, base.rowId).run();
        removed = tx.changes();
        tx.prepare("DELETE FROM audit_checkpoints WHERE id < ?").bind(1, base.id).run();
        appendLocked(tx, kBoxActor, "audit.pruned", "audit",
                     "rows through " + std::to_string(base.rowId) + " removed=" + std::to_string(removed) +
                         " checkpoint=" + std::to_string(base.id) + " retentionDays=" + std::to_string(retentionDays));
        made = checkpointLocked(tx, base.rowId);
        tx.commit();
    }
    publish(made);
    log::info("audit.pruned", {{"throughRow", std::to_string(base.rowId)}, {"rows", std::to_string(removed)}});
    return removed;
}

AuditVerdict AuditLog::verify(const std::vector<std::string>& logLines) {
    return verifyAuditLog(store_.db(), store_.auditKey(), anchorPath_, logLines);
}

}  // namespace kh::store
