#include "store/outbound_queue.hpp"

#include "crypto/primitives.hpp"

namespace kh::store {
namespace {
const char* kColumns =
    "SELECT id, request_id, kind, owner, body_sealed, state, attempts, COALESCE(http_status,0), COALESCE(error,''), "
    "response_sealed FROM outbound_queue ";
}

int64_t OutboundQueue::enqueue(Transaction& tx, const std::string& kind, const std::string& owner, const std::string& body) {
    std::string requestId = crypto::uuid7();  // time-ordered: names derived from it sort in queue order
    int64_t now = nowSeconds();
    tx.prepare("INSERT INTO outbound_queue(request_id, kind, owner, body_sealed, next_attempt_at, created_at) "
               "VALUES(?,?,?,?,?,?)")
        .bind(1, requestId).bind(2, kind).bind(3, owner).bindBlob(4, store_.key().seal(body, "outbound:" + requestId))
        .bind(5, now).bind(6, now)
        .run();
    return tx.lastInsertId();
}

int64_t OutboundQueue::enqueue(const std::string& kind, const std::string& owner, const std::string& body) {
    Transaction tx(store_.db());
    int64_t id = enqueue(tx, kind, owner, body);
    tx.commit();
    return id;
}

std::optional<OutboundItem> OutboundQueue::read(Statement& st) {
    if (!st.step()) return std::nullopt;
    OutboundItem it;
    it.id = st.int64(0);
    it.requestId = st.text(1);
    it.kind = st.text(2);
    it.owner = st.text(3);
    // An empty payload: a finished item past the patient-data retention period (store/retention.hpp).
    if (auto sealed = st.blob(4); !sealed.empty()) it.body = store_.key().open(sealed, "outbound:" + it.requestId);
    it.state = st.text(5);
    it.attempts = int(st.int64(6));
    it.httpStatus = int(st.int64(7));
    it.error = st.text(8);
    if (!st.isNull(9)) it.response = store_.key().open(st.blob(9), "outbound-response:" + it.requestId);
    return it;
}

std::optional<OutboundItem> OutboundQueue::head() {
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kColumns) + "WHERE state = 'pending' ORDER BY id LIMIT 1");
    return read(st);
}

std::vector<int64_t> OutboundQueue::pendingIds(size_t limit) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT id FROM outbound_queue WHERE state = 'pending' ORDER BY id LIMIT ?");
    st.bind(1, int64_t(limit));
    std::vector<int64_t> ids;
    while (st.step()) ids.push_back(st.int64(0));
    return ids;
}

std::optional<int64_t> OutboundQueue::findByOwner(const std::string& owner) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT id FROM outbound_queue WHERE owner = ? ORDER BY id DESC LIMIT 1");
    st.bind(1, owner);
    if (!st.step()) return std::nullopt;
    return st.int64(0);
}

std::optional<OutboundItem> OutboundQueue::get(int64_t id) {
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kColumns) + "WHERE id = ?");
    st.bind(1, id);
    return read(st);
}

int64_t OutboundQueue::nextAttemptAt(int64_t id) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT next_attempt_at FROM outbound_queue WHERE id = ?");
    st.bind(1, id);
    return st.step() ? st.int64(0) : 0;
}

void OutboundQueue::complete(int64_t id, int httpStatus, const std::string& response) {
    auto item = get(id);
    if (!item) return;
    auto conn = store_.db().lock();
    conn.prepare("UPDATE outbound_queue SET state='done', attempts=attempts+1, http_status=?, finished_at=?, error=NULL, "
                 "response_sealed=? WHERE id=?")
        .bind(1, httpStatus).bind(2, nowSeconds())
        .bindBlob(3, store_.key().seal(response, "outbound-response:" + item->requestId)).bind(4, id)
        .run();
}

void OutboundQueue::fail(int64_t id, int httpStatus, const std::string& error, const std::string& response) {
    auto item = get(id);
    if (!item) return;
    auto conn = store_.db().lock();
    conn.prepare("UPDATE outbound_queue SET state='failed', attempts=attempts+1, http_status=?, finished_at=?, error=?, "
                 "response_sealed=? WHERE id=?")
        .bind(1, httpStatus).bind(2, nowSeconds()).bind(3, error)
        .bindBlob(4, store_.key().seal(response, "outbound-response:" + item->requestId)).bind(5, id)
        .run();
}

void OutboundQueue::retryLater(int64_t id, int64_t notBefore, const std::string& error) {
    auto conn = store_.db().lock();
    conn.prepare("UPDATE outbound_queue SET attempts=attempts+1, next_attempt_at=?, error=? WHERE id=?")
        .bind(1, notBefore).bind(2, error).bind(3, id)
        .run();
}

int64_t OutboundQueue::pendingCount() {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT COUNT(*) FROM outbound_queue WHERE state='pending'");
    st.step();
    return st.int64(0);
}

}  // namespace kh::store
