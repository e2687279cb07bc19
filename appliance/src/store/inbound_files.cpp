#include "store/inbound_files.hpp"

namespace kh::store {
namespace {
const char* kSelect =
    "SELECT id, name, sha256, kind, encoding, state, COALESCE(ticket,0), body_sealed, channel, tickets FROM inbound_files ";

std::vector<int64_t> parseTickets(const std::string& s) {
    std::vector<int64_t> out;
    size_t b = 0;
    while (b < s.size()) {
        size_t e = s.find(',', b);
        if (e == std::string::npos) e = s.size();
        out.push_back(std::stoll(s.substr(b, e - b)));
        b = e + 1;
    }
    return out;
}
}

InboundFile InboundFiles::read(Statement& st) {
    InboundFile f{st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.int64(6), {}, st.text(8),
                  parseTickets(st.text(9))};
    if (!st.isNull(7)) f.body = store_.key().open(st.blob(7), "inbound:" + f.sha256);
    return f;
}

int64_t InboundFiles::accept(const std::string& name, const std::string& sha256, const std::string& kind,
                             const std::string& encoding, const std::string& body, const std::string& channel) {
    Transaction tx(store_.db());
    auto found = tx.prepare("SELECT id FROM inbound_files WHERE name = ? AND sha256 = ?");
    found.bind(1, name).bind(2, sha256);
    if (found.step()) return found.int64(0);
    tx.prepare("INSERT INTO inbound_files(name, sha256, kind, encoding, state, received_at, body_sealed, channel) "
               "VALUES(?,?,?,?, 'accepted', ?, ?, ?)")
        .bind(1, name).bind(2, sha256).bind(3, kind).bind(4, encoding).bind(5, nowSeconds())
        .bindBlob(6, store_.key().seal(body, "inbound:" + sha256)).bind(7, channel)
        .run();
    int64_t id = tx.lastInsertId();
    tx.commit();
    return id;
}

std::vector<InboundFile> InboundFiles::open(const std::string& state, const std::string& channel) {
    std::vector<InboundFile> out;
    auto conn = store_.db().lock();
    bool anyPlugin = channel == "plugin:";
    auto st = conn.prepare(std::string(kSelect) + (anyPlugin ? "WHERE state = ? AND channel LIKE 'plugin:%' ORDER BY id"
                                                                    : "WHERE state = ? AND channel = ? ORDER BY id"));
    st.bind(1, state);
    if (!anyPlugin) st.bind(2, channel);
    while (st.step()) out.push_back(read(st));
    return out;
}

std::optional<InboundFile> InboundFiles::get(int64_t id) {
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kSelect) + "WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read(st);
}

void InboundFiles::waitForEach(int64_t id, const std::vector<int64_t>& tickets) {
    std::string joined;
    for (auto t : tickets) joined += (joined.empty() ? "" : ",") + std::to_string(t);
    auto conn = store_.db().lock();
    conn.prepare("UPDATE inbound_files SET state='waiting', tickets=? WHERE id=?").bind(1, joined).bind(2, id).run();
}

void InboundFiles::waitFor(int64_t id, int64_t ticket) {
    auto conn = store_.db().lock();
    conn.prepare("UPDATE inbound_files SET state='waiting', ticket=? WHERE id=?").bind(1, ticket).bind(2, id).run();
}

void InboundFiles::answered(int64_t id) {
    auto conn = store_.db().lock();
    conn.prepare("UPDATE inbound_files SET state='answered', answered_at=? WHERE id=?")
        .bind(1, nowSeconds()).bind(2, id)
        .run();
}

void InboundFiles::failed(int64_t id, const std::string& why) {
    auto conn = store_.db().lock();
    conn.prepare("UPDATE inbound_files SET state='failed', answered_at=?, error=? WHERE id=?")
        .bind(1, nowSeconds()).bind(2, why).bind(3, id)
        .run();
}

}  // namespace kh::store
