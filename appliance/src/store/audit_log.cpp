#include "store/audit_log.hpp"

#include "crypto/primitives.hpp"

namespace kh::store {

// Length-prefixed fields, so no two different rows hash the same text.
std::string auditRowHash(const AuditEntry& e) {
    std::string text;
    for (const std::string& f : {e.prevHash, std::to_string(e.at), e.actor, e.action, e.subject, e.detail})
        text += std::to_string(f.size()) + ":" + f + ";";
    return crypto::hex(crypto::sha256(text));
}

void AuditLog::append(const std::string& actor, const std::string& action, const std::string& subject,
                      const std::string& detail) {
    auto& db = store_.db();
    Transaction tx(db);
    AuditEntry e{0, nowSeconds(), actor, action, subject, detail, std::string(64, '0'), ""};
    auto last = db.prepare("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1");
    if (last.step()) e.prevHash = last.text(0);
    e.hash = auditRowHash(e);
    db.prepare("INSERT INTO audit_log(at, actor, action, subject, detail, prev_hash, hash) VALUES(?,?,?,?,?,?,?)")
        .bind(1, e.at).bind(2, e.actor).bind(3, e.action).bind(4, e.subject).bind(5, e.detail)
        .bind(6, e.prevHash).bind(7, e.hash)
        .run();
    tx.commit();
}

std::vector<AuditEntry> AuditLog::recent(const std::string& action, int limit) {
    std::vector<AuditEntry> out;
    auto l = store_.db().lock();
    auto st = store_.db().prepare(
        "SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log "
        "WHERE (?1 = '' OR action = ?1) ORDER BY id DESC LIMIT ?2");
    st.bind(1, action).bind(2, limit);
    while (st.step())
        out.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7)});
    return out;
}

std::optional<int64_t> AuditLog::firstBrokenRow() {
    auto l = store_.db().lock();
    auto st = store_.db().prepare("SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY id");
    std::string expectedPrev(64, '0');
    while (st.step()) {
        AuditEntry e{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7)};
        if (e.prevHash != expectedPrev || auditRowHash(e) != e.hash) return e.id;
        expectedPrev = e.hash;
    }
    return std::nullopt;
}

}  // namespace kh::store
