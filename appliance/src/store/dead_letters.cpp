#include "store/dead_letters.hpp"

namespace kh::store {

int64_t DeadLetters::add(const std::string& channel, const std::string& name, const std::string& errorCode,
                         const std::string& error, const std::string& body) {
    auto conn = store_.db().lock();
    int64_t at = nowSeconds();
    conn.prepare("INSERT INTO dead_letters(at, channel, name, error_code, error, body_sealed) VALUES(?,?,?,?,?,?)")
        .bind(1, at).bind(2, channel).bind(3, name).bind(4, errorCode).bind(5, error)
        .bindBlob(6, store_.key().seal(body, "dead-letter:" + channel + ":" + name))
        .run();
    return conn.lastInsertId();
}

std::vector<DeadLetter> DeadLetters::recent(int limit) {
    std::vector<DeadLetter> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT id, at, channel, name, error_code, error FROM dead_letters ORDER BY id DESC LIMIT ?");
    st.bind(1, limit);
    while (st.step()) out.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5)});
    return out;
}

std::string DeadLetters::body(int64_t id) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT channel, name, body_sealed FROM dead_letters WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return {};
    auto sealed = st.blob(2);
    if (sealed.empty()) return {};  // past the patient-data retention period
    return store_.key().open(sealed, "dead-letter:" + st.text(0) + ":" + st.text(1));
}

}  // namespace kh::store
