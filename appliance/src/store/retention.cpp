#include "store/retention.hpp"

namespace kh::store {
namespace {
constexpr int64_t kDay = 86400;

int64_t run(Transaction& tx, const char* sql, int64_t cutoff) {
    tx.prepare(sql).bind(1, cutoff).run();
    return tx.changes();
}
}  // namespace

// Payloads of finished messages: emptied, the row kept. Columns that may not be NULL get an empty blob,
// which the readers take for "no longer kept".
int64_t Retention::dropPayloads(int64_t before) {
    Transaction tx(store_.db());
    int64_t n = 0;
    n += run(tx, "UPDATE journal SET payload_sealed = NULL WHERE at < ? AND payload_sealed IS NOT NULL", before);
    n += run(tx,
             "UPDATE inbound_files SET body_sealed = NULL WHERE state IN ('answered', 'failed') AND answered_at < ? "
             "AND body_sealed IS NOT NULL",
             before);
    n += run(tx,
             "UPDATE outbound_queue SET body_sealed = x'', response_sealed = NULL WHERE state IN ('done', 'failed') "
             "AND finished_at < ? AND length(body_sealed) > 0",
             before);
    n += run(tx, "UPDATE dead_letters SET body_sealed = x'' WHERE at < ? AND length(body_sealed) > 0", before);
    tx.commit();
    return n;
}

// Whole rows: patient data that is nothing but payload (finished batches, ended consents, visits past)
// after the patient-data period; the records without patient data after the record period.
int64_t Retention::deleteRecords(int64_t payloadsBefore, int64_t recordsBefore) {
    Transaction tx(store_.db());
    int64_t n = 0;
    const char* doneBatches = "SELECT id FROM batches WHERE state = 'done' AND completed_at < ?";
    n += run(tx, (std::string("DELETE FROM batch_entries WHERE batch_id IN (") + doneBatches + ")").c_str(), payloadsBefore);
    n += run(tx, (std::string("DELETE FROM batch_chunks WHERE batch_id IN (") + doneBatches + ")").c_str(), payloadsBefore);
    n += run(tx, "DELETE FROM batches WHERE state = 'done' AND completed_at < ?", payloadsBefore);
    n += run(tx, "DELETE FROM consented_patients WHERE available_until < ?", payloadsBefore);
    // Visits are by Japan date: those whose day lies more than the period back.
    n += run(tx, "DELETE FROM visits WHERE visit_date < strftime('%Y%m%d', ?, 'unixepoch', '+9 hours')", payloadsBefore);
    n += run(tx, "DELETE FROM visit_batches WHERE submitted_at < ?", recordsBefore);
    n += run(tx, "DELETE FROM consent_list_requests WHERE created_at < ?", recordsBefore);
    n += run(tx, "DELETE FROM journal WHERE at < ?", recordsBefore);
    n += run(tx, "DELETE FROM inbound_files WHERE state IN ('answered', 'failed') AND answered_at < ?", recordsBefore);
    n += run(tx, "DELETE FROM dead_letters WHERE at < ?", recordsBefore);
    n += run(tx, "DELETE FROM reference_numbers WHERE state = 'refused' AND requested_at < ?", recordsBefore);
    // A finished item still named by a batch chunk or a registration stays until they go.
    tx.prepare("UPDATE reference_numbers SET ticket = NULL WHERE state != 'pending' AND ticket IN "
               "(SELECT id FROM outbound_queue WHERE state != 'pending' AND finished_at < ?)")
        .bind(1, recordsBefore)
        .run();
    n += run(tx,
             "DELETE FROM outbound_queue WHERE state != 'pending' AND finished_at < ? "
             "AND id NOT IN (SELECT upload_ticket FROM batch_chunks WHERE upload_ticket IS NOT NULL) "
             "AND id NOT IN (SELECT ticket FROM reference_numbers WHERE ticket IS NOT NULL)",
             recordsBefore);
    n += run(tx, "DELETE FROM settings_history WHERE changed_at < ?", recordsBefore);
    tx.commit();
    return n;
}

RetentionReport Retention::sweep(int64_t now) {
    RetentionReport report;
    report.payloadsDropped = dropPayloads(now - policy_.patientDataDays * kDay);
    report.rowsDeleted = deleteRecords(now - policy_.patientDataDays * kDay, now - policy_.recordDays * kDay);
    report.cacheDeleted = cache_.forgetConfirmedBefore(now - policy_.cacheDays * kDay);
    auto conn = store_.db().lock();
    conn.exec("PRAGMA incremental_vacuum");
    return report;
}

}  // namespace kh::store
