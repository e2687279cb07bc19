// The audit log (監査ログ): append-only, hash-chained rows naming who viewed or did what. Subjects and
// details carry ids, methods and outcomes only, never patient data.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct AuditEntry {
    int64_t id = 0, at = 0;
    std::string actor, action, subject, detail, prevHash, hash;
};

class AuditLog {
public:
    explicit AuditLog(Store& store) : store_(store) {}
    void append(const std::string& actor, const std::string& action, const std::string& subject, const std::string& detail);
    std::vector<AuditEntry> recent(const std::string& action = "", int limit = 100);  // newest first
    // The id of the first row whose hash does not follow from the row before it; nullopt when intact.
    std::optional<int64_t> firstBrokenRow();

private:
    Store& store_;
};

std::string auditRowHash(const AuditEntry& e);

}  // namespace kh::store
