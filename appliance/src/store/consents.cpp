#include "store/consents.hpp"

namespace kh::store {
namespace {
std::string unitAad(const std::string& index, const std::string& treatment) { return "consent:" + treatment + ":" + index; }
std::string infoAad(const std::string& index, const std::string& scope, int category) {
    return "medical-info:" + scope + ":" + std::to_string(category) + ":" + index;
}
const char* kColumns = "SELECT identity_index, treatment, examination_date, available_until, consented_at, "
                       "COALESCE(withdrawn_at,0), fetched_at, unit_sealed FROM consented_patients ";
}  // namespace

int64_t Consents::addListRequest(const ConsentListFilter& f) {
    auto conn = store_.db().lock();
    conn.prepare("INSERT INTO consent_list_requests(treatment, consent_from, consent_to, examination_from, examination_to, "
                 "file_identifier, created_at) VALUES(?,?,?,?,?,?,?)")
        .bind(1, f.treatment).bind(2, f.consentFrom).bind(3, f.consentTo).bind(4, f.examinationFrom)
        .bind(5, f.examinationTo).bind(6, f.fileIdentifier).bind(7, nowSeconds())
        .run();
    return conn.lastInsertId();
}

std::optional<ConsentListFilter> Consents::listRequest(int64_t id) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT treatment, consent_from, consent_to, examination_from, examination_to, "
                           "file_identifier, created_at FROM consent_list_requests WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return ConsentListFilter{id, st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.int64(6)};
}

void Consents::upsert(const std::string& index, const ConsentedPatient& p) {
    auto conn = store_.db().lock();
    // A withdrawal stays in force: a later list cannot bring back a consent the patient took back.
    conn.prepare("INSERT INTO consented_patients(identity_index, treatment, examination_date, available_until, consented_at, "
                 "fetched_at, unit_sealed) VALUES(?,?,?,?,?,?,?) ON CONFLICT(identity_index, treatment) DO UPDATE SET "
                 "examination_date=excluded.examination_date, available_until=excluded.available_until, "
                 "consented_at=excluded.consented_at, fetched_at=excluded.fetched_at, unit_sealed=excluded.unit_sealed, "
                 "withdrawn_at=CASE WHEN excluded.consented_at > COALESCE(withdrawn_at,0) THEN NULL ELSE withdrawn_at END")
        .bindBlob(1, index).bind(2, p.treatment).bind(3, p.examinationDate).bind(4, p.availableUntil)
        .bind(5, p.consentedAt).bind(6, p.fetchedAt).bindBlob(7, store_.key().seal(p.unit, unitAad(index, p.treatment)))
        .run();
}

std::vector<ConsentedPatient> Consents::list(int64_t since) {
    std::vector<ConsentedPatient> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kColumns) +
                           "WHERE withdrawn_at IS NULL AND consented_at >= ? ORDER BY consented_at DESC");
    st.bind(1, since);
    while (st.step()) {
        std::string index = st.blob(0);
        out.push_back({st.text(1), st.text(2), st.int64(3), st.int64(4), st.int64(5), st.int64(6),
                       store_.key().open(st.blob(7), unitAad(index, st.text(1)))});
    }
    return out;
}

std::vector<ConsentedPatient> Consents::find(const std::string& index) {
    std::vector<ConsentedPatient> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kColumns) + "WHERE identity_index = ?");
    st.bindBlob(1, index);
    while (st.step())
        out.push_back({st.text(1), st.text(2), st.int64(3), st.int64(4), st.int64(5), st.int64(6),
                       store_.key().open(st.blob(7), unitAad(index, st.text(1)))});
    return out;
}

int Consents::withdraw(const std::string& index, int64_t at) {
    Transaction tx(store_.db());
    tx.prepare("UPDATE consented_patients SET withdrawn_at = ? WHERE identity_index = ? AND consented_at <= ?")
        .bind(1, at).bindBlob(2, index).bind(3, at).run();
    int changed = tx.changes();
    tx.prepare("DELETE FROM medical_info_cache WHERE identity_index = ?").bindBlob(1, index).run();
    tx.commit();
    return changed;
}

void Consents::putMedicalInfo(const std::string& index, const std::string& scope, int category, const CachedMedicalInfo& info) {
    auto conn = store_.db().lock();
    conn.prepare("INSERT OR REPLACE INTO medical_info_cache(identity_index, scope, file_category, content_type, fetched_at, "
                 "available_until, body_sealed) VALUES(?,?,?,?,?,?,?)")
        .bindBlob(1, index).bind(2, scope).bind(3, int64_t(category)).bind(4, info.contentType).bind(5, info.fetchedAt)
        .bind(6, info.availableUntil).bindBlob(7, store_.key().seal(info.body, infoAad(index, scope, category)))
        .run();
}

std::optional<CachedMedicalInfo> Consents::medicalInfo(const std::string& index, const std::string& scope, int category) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT content_type, fetched_at, available_until, body_sealed FROM medical_info_cache "
                           "WHERE identity_index = ? AND scope = ? AND file_category = ?");
    st.bindBlob(1, index).bind(2, scope).bind(3, int64_t(category));
    if (!st.step()) return std::nullopt;
    return CachedMedicalInfo{st.text(0), store_.key().open(st.blob(3), infoAad(index, scope, category)), st.int64(1),
                             st.int64(2)};
}

void Consents::dropMedicalInfo(const std::string& index) {
    auto conn = store_.db().lock();
    conn.prepare("DELETE FROM medical_info_cache WHERE identity_index = ?").bindBlob(1, index).run();
}

int Consents::purgeExpired(int64_t now, int64_t fetchedBefore) {
    auto conn = store_.db().lock();
    conn.prepare("DELETE FROM medical_info_cache WHERE available_until < ? OR fetched_at < ?")
        .bind(1, now).bind(2, fetchedBefore)
        .run();
    return conn.changes();
}

}  // namespace kh::store
