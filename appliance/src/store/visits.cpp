#include "store/visits.hpp"

namespace kh::store {
namespace {
std::string aad(const std::string& date, const std::string& kind, const std::string& index) {
    return "visit:" + date + ":" + kind + ":" + index;
}
}  // namespace

bool Visits::exists(const std::string& index, const std::string& date, const std::string& kind) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT 1 FROM visits WHERE identity_index = ? AND visit_date = ? AND kind = ?");
    st.bindBlob(1, index).bind(2, date).bind(3, kind);
    return st.step();
}

std::optional<std::vector<int64_t>> Visits::addAll(const std::vector<NewVisit>& visits) {
    Transaction tx(store_.db());
    std::vector<int64_t> ids;
    for (const auto& v : visits) {
        if (exists(v.identityIndex, v.visitDate, v.kind)) return std::nullopt;  // rolled back
        tx.prepare("INSERT INTO visits(identity_index, visit_date, kind, inquiry_sealed, created_at) VALUES(?,?,?,?,?)")
            .bindBlob(1, v.identityIndex).bind(2, v.visitDate).bind(3, v.kind)
            .bindBlob(4, store_.key().seal(v.inquiry, aad(v.visitDate, v.kind, v.identityIndex))).bind(5, nowSeconds())
            .run();
        ids.push_back(tx.lastInsertId());
    }
    tx.commit();
    return ids;
}

std::vector<Visit> Visits::onDate(const std::string& date) {
    std::vector<Visit> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT id, identity_index, kind, inquiry_sealed FROM visits WHERE visit_date = ? ORDER BY id");
    st.bind(1, date);
    while (st.step()) {
        std::string index = st.blob(1), kind = st.text(2);
        out.push_back({st.int64(0), index, date, kind, store_.key().open(st.blob(3), aad(date, kind, index))});
    }
    return out;
}

std::optional<VisitBatch> Visits::batch(const std::string& date, const std::string& purpose) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT reception_number, submitted_at, COALESCE(delivered_at,0) FROM visit_batches "
                           "WHERE visit_date = ? AND purpose = ?");
    st.bind(1, date).bind(2, purpose);
    if (!st.step()) return std::nullopt;
    return VisitBatch{date, purpose, st.text(0), st.int64(1), st.int64(2)};
}

void Visits::batchSubmitted(const VisitBatch& b) {
    auto conn = store_.db().lock();
    conn.prepare("INSERT OR REPLACE INTO visit_batches(visit_date, purpose, reception_number, submitted_at) VALUES(?,?,?,?)")
        .bind(1, b.visitDate).bind(2, b.purpose).bind(3, b.receptionNumber).bind(4, b.submittedAt)
        .run();
}

void Visits::batchDelivered(const std::string& date, const std::string& purpose, int64_t at) {
    auto conn = store_.db().lock();
    conn.prepare("UPDATE visit_batches SET delivered_at = ? WHERE visit_date = ? AND purpose = ?")
        .bind(1, at).bind(2, date).bind(3, purpose)
        .run();
}

std::vector<VisitBatch> Visits::undelivered() {
    std::vector<VisitBatch> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare(
        "SELECT visit_date, purpose, reception_number, submitted_at FROM visit_batches WHERE delivered_at IS NULL");
    while (st.step()) out.push_back({st.text(0), st.text(1), st.text(2), st.int64(3), 0});
    return out;
}

}  // namespace kh::store
