#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <vector>

#include "base/files.hpp"
#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "store/audit_log.hpp"
#include "store/backup.hpp"

using namespace kh::store;
using namespace kh::store::test;

namespace {

// What someone with the SQLite file but without the key folder can do: any SQL, any formula.
class Intruder {
public:
    explicit Intruder(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK); }
    ~Intruder() { sqlite3_close(db_); }

    void exec(const std::string& sql) {
        char* error = nullptr;
        int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
        INFO((error ? error : ""));
        sqlite3_free(error);
        REQUIRE(rc == SQLITE_OK);
    }

    std::vector<AuditEntry> rows() {
        std::vector<AuditEntry> out;
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db_, "SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY id", -1,
                           &st, nullptr);
        auto text = [&](int c) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c))); };
        while (sqlite3_step(st) == SQLITE_ROW)
            out.push_back({sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), text(2), text(3), text(4), text(5), text(6),
                           text(7)});
        sqlite3_finalize(st);
        return out;
    }

    // Every row's hash from row `from` on made again with `formula`, each linked to the one before, as the
    // old code did.
    void rechain(const std::function<std::string(const AuditEntry&)>& formula, int64_t from = 1) {
        std::string prev = kChainStart;
        for (auto e : rows()) {
            if (e.id < from) {
                prev = e.hash;
                continue;
            }
            e.prevHash = prev;
            e.hash = formula(e);
            prev = e.hash;
            exec("UPDATE audit_log SET prev_hash = '" + e.prevHash + "', hash = '" + e.hash + "' WHERE id = " + std::to_string(e.id));
        }
    }

private:
    sqlite3* db_ = nullptr;
};

struct Box {
    std::string dir = tempDir();
    std::string state = dir + "/state", keys = dir + "/keys", db = state + "/kakehashi.db";
    std::string anchor = state + "/audit-anchor.json";
    Box() { ::mkdir(state.c_str(), 0700); }
};

AuditPolicy everyThreeRows() {
    AuditPolicy p;
    p.checkpointEveryRows = 3;
    return p;
}

// Seven rows, checkpoints after rows 3 and 6 and one at "shutdown" after row 7.
void fill(Box& box) {
    Store store(box.db, box.keys);
    AuditLog audit(store, everyThreeRows());
    audit.append("看護師 田中", "card-check.verified", "check-1", "method=visual");
    for (int i = 2; i <= 7; ++i) audit.append("api:rececon", "card-check.viewed", "check-1", "qualification shown");
    auto last = audit.checkpoint();
    REQUIRE(last);
    CHECK(last->rowId == 7);
    CHECK(last->rowCount == 7);
}

AuditVerdict verify(Box& box, const std::vector<std::string>& logLines = {}) {
    Store store(box.db, box.keys);
    return AuditLog(store).verify(logLines);
}

std::string problemsOf(const AuditVerdict& v) {
    std::string out;
    for (const auto& p : v.problems) out += p.ja + " (" + p.en + ")\n";
    return out;
}

}  // namespace

TEST_CASE("an intact audit log verifies, with its checkpoints in the table and the anchor file", "[store][audit]") {
    Box box;
    fill(box);
    auto verdict = verify(box);
    INFO(problemsOf(verdict));
    CHECK(verdict.intact());
    CHECK(verdict.rowsChecked == 7);
    REQUIRE(verdict.newestCheckpoint);
    CHECK(verdict.newestCheckpoint->rowId == 7);
    Store store(box.db, box.keys);
    AuditLog audit(store);
    auto rows = audit.recent();
    REQUIRE(rows.size() == 7);
    CHECK(rows[0].prevHash == rows[1].hash);
    CHECK(audit.recent("card-check.verified").size() == 1);
    CHECK_FALSE(audit.checkpoint());  // no row since the last one
    auto anchor = parseCheckpointLine(kh::base::readFile(box.anchor));
    REQUIRE(anchor);
    CHECK(anchor->id == verdict.newestCheckpoint->id);
    CHECK(anchor->tag == verdict.newestCheckpoint->tag);
}

TEST_CASE("a row edited and rechained with the old unkeyed formula is found", "[store][audit]") {
    Box box;
    fill(box);
    {
        Intruder db(box.db);
        db.exec("UPDATE audit_log SET actor = 'someone else' WHERE id = 2");
        db.rechain(legacyRowHash, 2);  // what passed the old `audit verify`
    }
    auto verdict = verify(box);
    CHECK_FALSE(verdict.intact());
    CHECK(verdict.firstBrokenRow() == 2);
    CHECK(verdict.problems.front().ja.find("行 2 が書き換えられています") != std::string::npos);
}

TEST_CASE("a row edited and rechained with a guessed key, checkpoints and anchor too, is found", "[store][audit]") {
    Box box;
    fill(box);
    AuditKey guessed(kh::crypto::randomBytes(32));
    {
        Intruder db(box.db);
        db.exec("UPDATE audit_log SET detail = 'nothing shown' WHERE id = 4");
        db.rechain([&](const AuditEntry& e) { return keyedRowHash(guessed, e); }, 4);
        for (const auto& e : db.rows()) db.exec("UPDATE audit_checkpoints SET chain = '" + e.hash + "' WHERE row_id = " + std::to_string(e.id));
    }
    Store store(box.db, box.keys);
    auto verdict = AuditLog(store).verify();
    CHECK(verdict.firstBrokenRow() == 4);
    std::string all = problemsOf(verdict);
    CHECK(all.find("was altered") != std::string::npos);  // the checkpoints' tags do not hold either
}

TEST_CASE("an edited row is named even when the rows after it are left alone", "[store][audit]") {
    Box box;
    fill(box);
    Intruder(box.db).exec("UPDATE audit_log SET actor = 'api:other' WHERE id = 5");
    auto verdict = verify(box);
    CHECK(verdict.firstBrokenRow() == 5);
    CHECK(verdict.problems.front().en == "row 5 was changed");
}

TEST_CASE("a row deleted from the middle is found", "[store][audit]") {
    Box box;
    fill(box);
    Intruder(box.db).exec("DELETE FROM audit_log WHERE id = 3");
    auto verdict = verify(box);
    CHECK(verdict.firstBrokenRow() == 3);
    CHECK(verdict.problems.front().en == "rows 3-3 were deleted");
}

TEST_CASE("rows cut off the tail are found through the newest checkpoint", "[store][audit]") {
    Box box;
    fill(box);
    Intruder(box.db).exec("DELETE FROM audit_log WHERE id >= 6");
    auto verdict = verify(box);
    CHECK(verdict.firstBrokenRow() == 6);
    CHECK(verdict.problems.front().ja.find("行 6 以降が削除されています") != std::string::npos);
}

TEST_CASE("checkpoints rewritten to match a cut tail are found through the anchor file and the log", "[store][audit]") {
    Box box;
    fill(box);
    std::string newestLine = kh::base::readFile(box.anchor);
    {
        Intruder db(box.db);
        db.exec("DELETE FROM audit_log WHERE id >= 5");
        db.exec("DELETE FROM audit_checkpoints WHERE row_id >= 5");  // what is left agrees with itself
    }
    auto verdict = verify(box);
    CHECK(verdict.firstBrokenRow() == 5);
    std::string all = problemsOf(verdict);
    CHECK(all.find("the checkpoint table was rewritten") != std::string::npos);

    // The anchor file put back to an older genuine one: the log still shows the newer checkpoint.
    std::string older;
    {
        Store store(box.db, box.keys);
        auto kept = newestAuditCheckpoint(store.db());
        REQUIRE(kept);
        older = checkpointLine(*kept);
    }
    kh::base::writeFileDurably(box.anchor, older + "\n");
    CHECK(verify(box).intact());  // the box alone cannot tell
    std::string logLine = R"({"ts":"2026-01-05T01:02:03.000Z","level":"info",)" + newestLine.substr(1, newestLine.find('\n') - 1);
    auto withLog = verify(box, {"unrelated line", logLine});
    CHECK(withLog.firstBrokenRow() == 5);
    CHECK(problemsOf(withLog).find("of the log is not in it") != std::string::npos);

    // No anchor file at all, while the table has checkpoints.
    ::unlink(box.anchor.c_str());
    auto noAnchor = verify(box);
    CHECK_FALSE(noAnchor.intact());
    CHECK(problemsOf(noAnchor).find("is missing") != std::string::npos);
}

TEST_CASE("a forged anchor file or log line does not hold", "[store][audit]") {
    Box box;
    fill(box);
    auto line = kh::base::readFile(box.anchor);
    auto c = parseCheckpointLine(line);
    REQUIRE(c);
    c->rowId += 10;
    kh::base::writeFileDurably(box.anchor, checkpointLine(*c) + "\n");
    auto verdict = verify(box);
    CHECK_FALSE(verdict.intact());
    CHECK(problemsOf(verdict).find("the anchor file") != std::string::npos);
    CHECK(problemsOf(verify(box, {checkpointLine(*c)})).find("does not hold with this box's audit key") != std::string::npos);
}

TEST_CASE("a legacy chain is checked once and sealed into the keyed chain", "[store][audit]") {
    Box box;
    {
        Store store(box.db, box.keys);
        AuditLog(store).append("admin", "admin.login", "user:1", "");
    }
    // The database as the version before the audit key left it: plain SHA-256 rows, no checkpoint.
    {
        Intruder db(box.db);
        db.exec("DELETE FROM audit_log");
        db.exec("DELETE FROM audit_checkpoints");
        for (int i = 1; i <= 4; ++i)
            db.exec("INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) VALUES(" + std::to_string(i) +
                    ", 1700000000, 'admin', 'admin.setting-changed', 'setting:facility.name', '', '', '')");
        db.rechain(legacyRowHash);
    }
    ::unlink(box.anchor.c_str());
    {
        Store store(box.db, box.keys);
        AuditLog audit(store);
        auto verdict = audit.verify();
        INFO(problemsOf(verdict));
        CHECK(verdict.intact());
        auto sealed = audit.recent("audit.chain-sealed");
        REQUIRE(sealed.size() == 1);
        CHECK(sealed[0].detail == "legacy rows=4 intact");
        CHECK(sealed[0].id == 5);
    }
    Store store(box.db, box.keys);
    AuditLog again(store);  // a second start seals nothing
    CHECK(again.recent("audit.chain-sealed").size() == 1);
    CHECK(again.verify().intact());
}

TEST_CASE("a legacy chain that is already broken stays broken from that row on", "[store][audit]") {
    Box box;
    {
        Store store(box.db, box.keys);
    }
    std::vector<AuditEntry> before;
    {
        Intruder db(box.db);
        db.exec("DELETE FROM audit_checkpoints");
        for (int i = 1; i <= 5; ++i)
            db.exec("INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) VALUES(" + std::to_string(i) +
                    ", 1700000000, 'api:rececon', 'card-check.viewed', 'check-" + std::to_string(i) + "', '', '', '')");
        db.rechain(legacyRowHash);
        db.exec("UPDATE audit_log SET subject = 'check-x' WHERE id = 3");  // tampered before the upgrade
        before = db.rows();
    }
    ::unlink(box.anchor.c_str());
    Store store(box.db, box.keys);
    AuditLog audit(store);
    auto verdict = audit.verify();
    CHECK(verdict.firstBrokenRow() == 3);
    auto sealed = audit.recent("audit.chain-sealed");
    REQUIRE(sealed.size() == 1);
    CHECK(sealed[0].detail == "legacy rows=5 broken-from=3 (kept as found)");
    auto rows = Intruder(box.db).rows();
    for (size_t i = 2; i < 5; ++i) CHECK(rows[i].hash == before[i].hash);  // kept exactly as found
    CHECK(rows[0].hash != before[0].hash);                                 // the sound prefix is sealed
    audit.append("admin", "admin.login", "user:1", "");
    CHECK(audit.verify().firstBrokenRow() == 3);  // later rows do not launder it
}

TEST_CASE("retention removes a whole prefix up to a checkpoint, and verify starts from there", "[store][audit]") {
    Box box;
    fill(box);
    Store store(box.db, box.keys);
    AuditLog audit(store, everyThreeRows());
    audit.append("admin", "admin.login", "user:1", "");  // row 8, after the newest checkpoint
    int64_t now = nowSeconds();
    CHECK(audit.pruneExpired(now, 1826) == 0);  // nothing is five years old
    CHECK(audit.pruneExpired(now + 3 * 86400, 1) == 7);  // through the checkpoint at row 7; row 8 stays
    auto rows = audit.recent("", 100);
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].id == 8);
    CHECK(rows[0].action == "audit.pruned");
    auto verdict = audit.verify();
    INFO(problemsOf(verdict));
    CHECK(verdict.intact());
    CHECK(verdict.newestCheckpoint->prunedThrough == 7);
    CHECK(verdict.newestCheckpoint->rowCount == 9);

    // Removing the next rows by hand, as if pruned, is still found.
    Intruder(box.db).exec("DELETE FROM audit_log WHERE id = 8");
    CHECK(audit.verify().firstBrokenRow() == 8);
}

TEST_CASE("a restore that replaces the data key keeps the box's audit chain, and a backup carries its checkpoint",
          "[store][audit]") {
    Box box, other;
    fill(box);
    std::string archive;
    {
        Store store(other.db, other.keys);
        AuditLog sealed(store);
        auto collected = collectBackup(store, other.keys, other.state, false);
        CHECK(parseCheckpointLine(collected.summary.auditCheckpoint));
        CHECK(collected.archive.find("\"auditCheckpoint\":") != std::string::npos);
        archive = std::move(collected.archive);
    }
    CHECK(stageRestore(archive, box.state, box.keys).replacesDataKey);
    REQUIRE(applyStagedRestore(box.db, box.keys, box.state));
    auto verdict = verify(box);
    INFO(problemsOf(verdict));
    CHECK(verdict.intact());
    CHECK(verdict.rowsChecked == 7);
}

TEST_CASE("a checkpoint reaches the log whatever the log level", "[store][audit]") {
    Box box;
    kh::log::setLevel(kh::log::Level::Error);
    Store store(box.db, box.keys);
    AuditLog audit(store);
    audit.append("admin", "admin.login", "user:1", "");
    auto made = audit.checkpoint();
    kh::log::setLevel(kh::log::Level::Info);
    REQUIRE(made);
    auto lines = kh::log::recentLines();
    auto logged = parseCheckpointLine(lines.back());
    REQUIRE(logged);
    CHECK(logged->id == made->id);
    CHECK(logged->tag == made->tag);
}
