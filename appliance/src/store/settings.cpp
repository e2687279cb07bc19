#include "store/settings.hpp"

namespace kh::store {

std::optional<Setting> Settings::get(const std::string& key) {
    auto conn = db_.lock();
    auto st = conn.prepare("SELECT value, updated_at, updated_by FROM settings WHERE key = ?");
    st.bind(1, key);
    if (!st.step()) return std::nullopt;
    return Setting{key, st.text(0), st.text(2), st.int64(1)};
}

void Settings::set(const std::string& key, const std::string& value, const std::string& by) {
    Transaction tx(db_);
    int64_t now = nowSeconds();
    tx.prepare("INSERT INTO settings(key, value, updated_at, updated_by) VALUES(?,?,?,?) "
               "ON CONFLICT(key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at, updated_by=excluded.updated_by")
        .bind(1, key).bind(2, value).bind(3, now).bind(4, by)
        .run();
    tx.prepare("INSERT INTO settings_history(key, value, changed_at, changed_by) VALUES(?,?,?,?)")
        .bind(1, key).bind(2, value).bind(3, now).bind(4, by)
        .run();
    tx.commit();
}

std::vector<Setting> Settings::history(const std::string& key, int limit) {
    std::vector<Setting> out;
    auto conn = db_.lock();
    auto st = conn.prepare(
        "SELECT value, changed_at, changed_by FROM settings_history WHERE key = ? ORDER BY id DESC LIMIT ?");
    st.bind(1, key).bind(2, limit);
    while (st.step()) out.push_back({key, st.text(0), st.text(2), st.int64(1)});
    return out;
}

}  // namespace kh::store
