#include "store/terminal_requests.hpp"

namespace kh::store {

std::optional<TerminalRequest> TerminalRequests::find(const std::string& requestId) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT request_id, file_name, written_at FROM terminal_requests WHERE request_id = ?");
    st.bind(1, requestId);
    if (!st.step()) return std::nullopt;
    return TerminalRequest{st.text(0), st.text(1), st.int64(2)};
}

void TerminalRequests::record(const std::string& requestId, const std::string& fileName) {
    auto conn = store_.db().lock();
    conn.prepare("INSERT OR REPLACE INTO terminal_requests(request_id, file_name, written_at) VALUES(?,?,?)")
        .bind(1, requestId).bind(2, fileName).bind(3, nowSeconds())
        .run();
}

void TerminalRequests::forget(const std::string& requestId) {
    auto conn = store_.db().lock();
    conn.prepare("DELETE FROM terminal_requests WHERE request_id = ?").bind(1, requestId).run();
}

std::vector<TerminalRequest> TerminalRequests::settled(int64_t unqueuedBefore, size_t limit) {
    auto conn = store_.db().lock();
    auto st = conn.prepare(
        "SELECT t.request_id, t.file_name, t.written_at FROM terminal_requests t "
        "LEFT JOIN outbound_queue q ON q.request_id = t.request_id "
        "WHERE (q.id IS NOT NULL AND q.state != 'pending') OR (q.id IS NULL AND t.written_at < ?) "
        "ORDER BY t.written_at LIMIT ?");
    st.bind(1, unqueuedBefore).bind(2, int64_t(limit));
    std::vector<TerminalRequest> out;
    while (st.step()) out.push_back({st.text(0), st.text(1), st.int64(2)});
    return out;
}

}  // namespace kh::store
