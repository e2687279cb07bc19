// Checking the audit log (store/audit_log.hpp): every row's HMAC and link to the row before it, the ids
// without gaps, and every checkpoint — the table's, the anchor file's and those found in log lines —
// against the rows and against each other. The verdict names the first broken row when a row is at fault,
// and says what is wrong, Japanese first.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/audit_chain.hpp"
#include "store/database.hpp"

namespace kh::store {

struct AuditProblem {
    std::optional<int64_t> row;  // the first row at fault, when a row is
    std::string ja, en;
};

struct AuditVerdict {
    std::vector<AuditProblem> problems;  // those naming a row first, lowest row first; at most 20
    int64_t rowsChecked = 0;
    std::optional<AuditCheckpoint> newestCheckpoint;  // the table's newest whose tag holds

    bool intact() const { return problems.empty(); }
    std::optional<int64_t> firstBrokenRow() const { return problems.empty() ? std::nullopt : problems.front().row; }
};

// Reads the rows and checkpoints in one snapshot (holds the database's lock meanwhile).
AuditVerdict verifyAuditLog(Database& db, const AuditKey& key, const std::string& anchorPath,
                            const std::vector<std::string>& logLines);

}  // namespace kh::store
