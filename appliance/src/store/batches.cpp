#include "store/batches.hpp"

#include <cstdio>

#include "model/japan_date.hpp"

namespace kh::store {
namespace {
std::string entryAad(int64_t batchId, int64_t entryNo, const char* what) {
    return std::string("batch:") + what + ":" + std::to_string(batchId) + ":" + std::to_string(entryNo);
}

// The appliance's own reception number: K + Japan date + 8-digit batch id.
std::string receptionNumberFor(int64_t batchId) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "K%s%08lld", model::JapanDate::today().str().c_str(), static_cast<long long>(batchId));
    return buf;
}
}  // namespace

Batch Batches::create(const std::string& origin, const std::string& institutionCode, const std::string& fileIdentifier,
                      const std::vector<NewBatchEntry>& entries, size_t chunkSize,
                      const std::function<std::string(const std::vector<std::string>&)>& uploadBody) {
    Transaction tx(store_.db());
    if (auto existing = byOrigin(origin)) return *existing;
    int64_t now = nowSeconds();
    tx.prepare("INSERT INTO batches(reception_number, origin, institution_code, file_identifier, state, entry_count, received_at) "
               "VALUES(?, ?, ?, ?, 'processing', ?, ?)")
        .bind(1, "pending:" + origin).bind(2, origin).bind(3, institutionCode).bind(4, fileIdentifier)
        .bind(5, int64_t(entries.size())).bind(6, now)
        .run();
    int64_t batchId = tx.lastInsertId();
    tx.prepare("UPDATE batches SET reception_number = ? WHERE id = ?").bind(1, receptionNumberFor(batchId)).bind(2, batchId).run();

    std::vector<std::string> chunk;
    int64_t chunkNo = 0;
    auto flush = [&] {
        if (chunk.empty()) return;
        int64_t ticket = queue_.enqueue(tx, "batch-upload", "batch:" + std::to_string(batchId) + ":" + std::to_string(chunkNo),
                                        uploadBody(chunk));
        tx.prepare("INSERT INTO batch_chunks(batch_id, chunk_no, entry_count, upload_ticket, state) VALUES(?,?,?,?, 'uploading')")
            .bind(1, batchId).bind(2, chunkNo).bind(3, int64_t(chunk.size())).bind(4, ticket)
            .run();
        chunk.clear();
        ++chunkNo;
    };
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        auto st = tx.prepare("INSERT INTO batch_entries(batch_id, entry_no, chunk_no, inquiry_sealed, result_sealed) VALUES(?,?,?,?,?)");
        st.bind(1, batchId).bind(2, int64_t(i)).bindBlob(4, store_.key().seal(e.inquiry, entryAad(batchId, i, "inquiry")));
        if (e.localResult) {
            st.bindNull(3).bindBlob(5, store_.key().seal(*e.localResult, entryAad(batchId, i, "result")));
        } else {
            st.bind(3, chunkNo).bindNull(5);
            chunk.push_back(e.inquiry);
        }
        st.run();
        if (chunk.size() >= chunkSize) flush();
    }
    flush();
    completeIfDone(tx, batchId);
    tx.commit();
    return *byOrigin(origin);
}

std::optional<Batch> Batches::find(const std::string& column, const std::string& value) {
    auto conn = store_.db().lock();
    auto st = conn.prepare(
        "SELECT id, reception_number, origin, institution_code, file_identifier, state, entry_count, received_at FROM batches WHERE " +
        column + " = ?");
    st.bind(1, value);
    if (!st.step()) return std::nullopt;
    return Batch{st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.int64(6), st.int64(7)};
}

std::optional<Batch> Batches::byReception(const std::string& r) { return find("reception_number", r); }
std::optional<Batch> Batches::byOrigin(const std::string& o) { return find("origin", o); }

std::vector<BatchChunk> Batches::chunks(const std::string& state) {
    std::vector<BatchChunk> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare(
        "SELECT batch_id, chunk_no, entry_count, COALESCE(upload_ticket,0), next_poll_at, COALESCE(upstream_reception,''), state "
        "FROM batch_chunks WHERE state = ? ORDER BY batch_id, chunk_no");
    st.bind(1, state);
    while (st.step())
        out.push_back({st.int64(0), st.int64(1), st.int64(2), st.int64(3), st.int64(4), st.text(5), st.text(6)});
    return out;
}

void Batches::chunkUploaded(const BatchChunk& c, const std::string& upstreamReception, int64_t nextPollAt) {
    auto conn = store_.db().lock();
    conn.prepare("UPDATE batch_chunks SET state='polling', upstream_reception=?, next_poll_at=? WHERE batch_id=? AND chunk_no=?")
        .bind(1, upstreamReception).bind(2, nextPollAt).bind(3, c.batchId).bind(4, c.chunkNo)
        .run();
}

void Batches::pollLater(const BatchChunk& c, int64_t nextPollAt) {
    auto conn = store_.db().lock();
    conn.prepare("UPDATE batch_chunks SET next_poll_at=? WHERE batch_id=? AND chunk_no=?")
        .bind(1, nextPollAt).bind(2, c.batchId).bind(3, c.chunkNo)
        .run();
}

std::vector<std::string> Batches::chunkInquiries(const BatchChunk& c) {
    std::vector<std::string> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT entry_no, inquiry_sealed FROM batch_entries WHERE batch_id=? AND chunk_no=? ORDER BY entry_no");
    st.bind(1, c.batchId).bind(2, c.chunkNo);
    while (st.step()) out.push_back(store_.key().open(st.blob(1), entryAad(c.batchId, st.int64(0), "inquiry")));
    return out;
}

void Batches::chunkAnswered(const BatchChunk& c, const std::vector<std::string>& results) {
    Transaction tx(store_.db());
    std::vector<int64_t> entryNos;
    {
        auto st = tx.prepare("SELECT entry_no FROM batch_entries WHERE batch_id=? AND chunk_no=? ORDER BY entry_no");
        st.bind(1, c.batchId).bind(2, c.chunkNo);
        while (st.step()) entryNos.push_back(st.int64(0));
    }
    for (size_t i = 0; i < entryNos.size() && i < results.size(); ++i) {
        tx.prepare("UPDATE batch_entries SET result_sealed=? WHERE batch_id=? AND entry_no=?")
            .bindBlob(1, store_.key().seal(results[i], entryAad(c.batchId, entryNos[i], "result")))
            .bind(2, c.batchId).bind(3, entryNos[i])
            .run();
    }
    tx.prepare("UPDATE batch_chunks SET state='done' WHERE batch_id=? AND chunk_no=?").bind(1, c.batchId).bind(2, c.chunkNo).run();
    completeIfDone(tx, c.batchId);
    tx.commit();
}

void Batches::completeIfDone(Transaction& tx, int64_t batchId) {
    auto st = tx.prepare("SELECT COUNT(*) FROM batch_entries WHERE batch_id=? AND result_sealed IS NULL");
    st.bind(1, batchId);
    st.step();
    if (st.int64(0) == 0)
        tx.prepare("UPDATE batches SET state='done', completed_at=? WHERE id=?").bind(1, nowSeconds()).bind(2, batchId).run();
}

std::vector<Batches::Entry> Batches::entries(int64_t batchId) {
    std::vector<Entry> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT entry_no, inquiry_sealed, result_sealed FROM batch_entries WHERE batch_id=? ORDER BY entry_no");
    st.bind(1, batchId);
    while (st.step()) {
        Entry e{store_.key().open(st.blob(1), entryAad(batchId, st.int64(0), "inquiry")), std::nullopt};
        if (!st.isNull(2)) e.result = store_.key().open(st.blob(2), entryAad(batchId, st.int64(0), "result"));
        out.push_back(std::move(e));
    }
    return out;
}

int64_t Batches::openCount() {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT COUNT(*) FROM batches WHERE state='processing'");
    st.step();
    return st.int64(0);
}

}  // namespace kh::store
