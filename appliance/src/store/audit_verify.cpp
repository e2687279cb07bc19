#include "store/audit_verify.hpp"

#include <algorithm>
#include <map>

#include "base/files.hpp"

namespace kh::store {
namespace {
constexpr size_t kMostProblems = 20;

std::string n(int64_t v) { return std::to_string(v); }

// A checkpoint from outside the table, and where it was found.
struct Witness {
    AuditCheckpoint checkpoint;
    std::string ja, en;  // 「アンカーファイル」, "the anchor file"
};

class Verification {
public:
    Verification(Connection& conn, const AuditKey& key) : conn_(conn), key_(key) {}

    AuditVerdict run(const std::string& anchorPath, const std::vector<std::string>& logLines) {
        readTable();
        readAnchor(anchorPath);
        for (const auto& line : logLines) readLogLine(line);
        findBase();
        for (const auto& w : witnesses_) compareWithTable(w);
        walkRows();
        checkTail();
        return verdict();
    }

private:
    void problem(std::optional<int64_t> row, std::string ja, std::string en) {
        problems_.push_back({row, std::move(ja), std::move(en)});
    }
    bool holds(const AuditCheckpoint& c) const { return checkpointTag(key_, c) == c.tag; }

    void readTable() {
        auto st = conn_.prepare("SELECT id, at, row_id, row_count, chain, pruned_through, tag FROM audit_checkpoints ORDER BY id");
        while (st.step()) {
            AuditCheckpoint c{st.int64(0), st.int64(1), st.int64(2), st.int64(3), st.text(4), st.int64(5), st.text(6)};
            ++inTable_;
            if (!holds(c)) {
                problem(c.rowId > 0 ? std::optional<int64_t>(c.rowId) : std::nullopt,
                        "チェックポイント " + n(c.id) + " が改ざんされています",
                        "checkpoint " + n(c.id) + " was altered");
                continue;
            }
            table_[c.id] = c;
            newest_ = c;
        }
    }

    void readAnchor(const std::string& path) {
        auto text = base::tryReadFile(path, 4096);
        if (!text) {
            if (inTable_ > 0)
                problem(std::nullopt, "アンカーファイル " + path + " がありません", "the anchor file " + path + " is missing");
            return;
        }
        auto c = parseCheckpointLine(*text);
        if (!c || !holds(*c)) {
            problem(std::nullopt, "アンカーファイル " + path + " が改ざんされています", "the anchor file " + path + " was altered");
            return;
        }
        witnesses_.push_back({*c, "アンカーファイル", "the anchor file"});
    }

    void readLogLine(const std::string& line) {
        auto c = parseCheckpointLine(line);
        if (!c) return;
        if (!holds(*c)) {
            problem(std::nullopt, "ログのチェックポイント " + n(c->id) + " はこの機器の監査鍵と合いません",
                    "checkpoint " + n(c->id) + " in the log does not hold with this box's audit key");
            return;
        }
        witnesses_.push_back({*c, "ログ", "the log"});
    }

    // A checkpoint seen outside the database must be in the table as it was made (unless pruned since).
    void compareWithTable(const Witness& w) {
        const auto& c = w.checkpoint;
        auto it = table_.find(c.id);
        if (it == table_.end()) {
            if (!pruned(c))
                problem(std::nullopt, "チェックポイント表が書き換えられています: " + w.ja + "のチェックポイント " + n(c.id) + " が表にありません",
                        "the checkpoint table was rewritten: checkpoint " + n(c.id) + " of " + w.en + " is not in it");
            return;
        }
        const auto& t = it->second;
        if (t.tag != c.tag)
            problem(std::nullopt, "チェックポイント表が書き換えられています: チェックポイント " + n(c.id) + " が" + w.ja + "と異なります",
                    "the checkpoint table was rewritten: checkpoint " + n(c.id) + " differs from " + w.en);
    }

    bool pruned(const AuditCheckpoint& c) const { return c.rowId <= prunedThrough_ && c.rowId != baseRow(); }
    int64_t baseRow() const { return prunedThrough_; }

    // Every checkpoint that holds, from the table and from outside it, each once.
    std::vector<AuditCheckpoint> all() const {
        std::vector<AuditCheckpoint> out;
        for (const auto& [id, c] : table_) out.push_back(c);
        for (const auto& w : witnesses_) {
            bool seen = std::any_of(out.begin(), out.end(), [&](const AuditCheckpoint& c) {
                return c.id == w.checkpoint.id && c.tag == w.checkpoint.tag;
            });
            if (!seen) out.push_back(w.checkpoint);
        }
        return out;
    }

    // Rows up to the newest prune point were removed on purpose; the chain goes on from the checkpoint there.
    void findBase() {
        for (const auto& c : all()) prunedThrough_ = std::max(prunedThrough_, c.prunedThrough);
        if (prunedThrough_ == 0) return;
        for (const auto& c : all())
            if (c.rowId == prunedThrough_) {
                expectedPrev_ = c.chain;
                count_ = c.rowCount;
                return;
            }
        problem(std::nullopt, "保存期間で削除した行 " + n(prunedThrough_) + " までの基準のチェックポイントがありません",
                "the checkpoint that closes the rows pruned through " + n(prunedThrough_) + " is missing");
        expectedPrev_.reset();
        count_.reset();
    }

    void walkRows() {
        std::map<int64_t, std::vector<AuditCheckpoint>> byRow;
        for (const auto& c : all())
            if (c.rowId > prunedThrough_) byRow[c.rowId].push_back(c);
        int64_t expectedId = prunedThrough_ + 1;
        auto st = conn_.prepare("SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log WHERE id > ? ORDER BY id");
        st.bind(1, prunedThrough_);
        while (st.step()) {
            AuditEntry e{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7)};
            ++rowsChecked_;
            if (count_) ++*count_;
            if (e.id != expectedId) {
                problem(expectedId, "行 " + n(expectedId) + "〜" + n(e.id - 1) + " が削除されています",
                        "rows " + n(expectedId) + "-" + n(e.id - 1) + " were deleted");
                if (count_) *count_ += e.id - expectedId;  // what the count would be had they stayed
            } else if (expectedPrev_ && e.prevHash != *expectedPrev_) {
                problem(e.id, "行 " + n(e.id) + " が前の行とつながりません（前の行が変更・削除されたか、行が挿入されています）",
                        "row " + n(e.id) + " does not follow the row before it (a row was changed, removed or inserted)");
            }
            if (keyedRowHash(key_, e) != e.hash)
                problem(e.id, "行 " + n(e.id) + " が書き換えられています", "row " + n(e.id) + " was changed");
            auto named = byRow.find(e.id);
            if (named != byRow.end())
                for (const auto& c : named->second) compareWithRow(c, e);
            expectedPrev_ = e.hash;
            expectedId = e.id + 1;
        }
        lastRow_ = expectedId - 1;
    }

    void compareWithRow(const AuditCheckpoint& c, const AuditEntry& e) {
        if (c.chain != e.hash)
            problem(e.id, "行 " + n(e.id) + " がチェックポイント " + n(c.id) + " と合いません",
                    "row " + n(e.id) + " does not match checkpoint " + n(c.id));
        else if (count_ && *count_ != c.rowCount)
            problem(e.id, "チェックポイント " + n(c.id) + " は行 " + n(e.id) + " までに " + n(c.rowCount) + " 行と記録していますが、" +
                              n(*count_) + " 行です",
                    "checkpoint " + n(c.id) + " records " + n(c.rowCount) + " rows up to row " + n(e.id) + "; the log has " +
                        n(*count_));
    }

    // A checkpoint beyond the last row: rows were cut off the end.
    void checkTail() {
        std::optional<AuditCheckpoint> furthest;
        for (const auto& c : all())
            if (c.rowId > lastRow_ && (!furthest || c.rowId > furthest->rowId)) furthest = c;
        if (!furthest) return;
        int64_t from = lastRow_ + 1;
        problem(from, "行 " + n(from) + " 以降が削除されています（チェックポイント " + n(furthest->id) + " は行 " + n(furthest->rowId) + " まで、" +
                          n(furthest->rowCount) + " 行を記録しています）",
                "rows from " + n(from) + " on were deleted (checkpoint " + n(furthest->id) + " covers rows up to " +
                    n(furthest->rowId) + ", " + n(furthest->rowCount) + " in all)");
    }

    AuditVerdict verdict() {
        std::stable_sort(problems_.begin(), problems_.end(), [](const AuditProblem& a, const AuditProblem& b) {
            if (a.row.has_value() != b.row.has_value()) return a.row.has_value();
            return a.row && *a.row < *b.row;
        });
        if (problems_.size() > kMostProblems) problems_.resize(kMostProblems);
        return {std::move(problems_), rowsChecked_, newest_};
    }

    Connection& conn_;
    const AuditKey& key_;
    std::map<int64_t, AuditCheckpoint> table_;  // those whose tag holds, by id
    std::vector<Witness> witnesses_;
    std::vector<AuditProblem> problems_;
    std::optional<AuditCheckpoint> newest_;
    int64_t inTable_ = 0, prunedThrough_ = 0, rowsChecked_ = 0, lastRow_ = 0;
    std::optional<std::string> expectedPrev_ = kChainStart;  // nullopt: the base is missing, the first link is not checked
    std::optional<int64_t> count_ = 0;                        // rows so far, pruned ones included; nullopt: unknown
};

}  // namespace

AuditVerdict verifyAuditLog(Database& db, const AuditKey& key, const std::string& anchorPath,
                            const std::vector<std::string>& logLines) {
    ReadTransaction snapshot(db);  // rows and checkpoints of one moment even while another process writes
    return Verification(snapshot, key).run(anchorPath, logLines);
}

}  // namespace kh::store
