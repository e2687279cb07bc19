#include "store/api_clients.hpp"

#include <sstream>

#include "crypto/primitives.hpp"
#include "model/address_range.hpp"
#include "model/errors.hpp"

namespace kh::store {
namespace {
std::string joinCidrs(const std::vector<std::string>& cidrs) {
    std::string out;
    for (const auto& c : cidrs) out += (out.empty() ? "" : ",") + c;
    return out;
}

std::vector<std::string> splitCidrs(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

const char* kClientColumns = "SELECT id, name, allow_cidrs, created_at, expires_at FROM api_clients ";

ApiClient clientOf(Statement& st) {
    ApiClient c{st.int64(0), st.text(1), splitCidrs(st.text(2)), st.int64(3), std::nullopt};
    if (!st.isNull(4)) c.expiresAt = st.int64(4);
    return c;
}

TokenCheck checked(const ApiClient& client, int64_t now) {
    if (client.expired(now)) return {std::nullopt, true};
    return {client, false};
}
}  // namespace

std::string ApiClients::issue(const std::string& name, const std::vector<std::string>& allowCidrs, int validDays) {
    if (validDays < 0 || validDays > kMostValidDays)
        throw model::KakehashiError(model::ErrorId::InvalidField,
                                    "expiresDays: 0（無期限）〜" + std::to_string(kMostValidDays) + " の日数を指定してください (0 for never, up to " +
                                        std::to_string(kMostValidDays) + " days)");
    std::vector<std::string> cidrs;
    for (const auto& c : allowCidrs) cidrs.push_back(model::normaliseAddressRange(c));
    // 32 random bytes: a token this strong needs no slow hash; SHA-256 is enough to keep it unusable if read.
    std::string token = "kkh_" + crypto::hex(crypto::randomBytes(32));
    int64_t now = nowSeconds();
    auto conn = store_.db().lock();
    auto st = conn.prepare(
        "INSERT INTO api_clients(name, token_hash, allow_cidrs, created_at, expires_at) VALUES(?,?,?,?,?) "
        "ON CONFLICT(name) DO UPDATE SET token_hash=excluded.token_hash, allow_cidrs=excluded.allow_cidrs, "
        "created_at=excluded.created_at, expires_at=excluded.expires_at");
    st.bind(1, name).bindBlob(2, crypto::sha256(token)).bind(3, joinCidrs(cidrs)).bind(4, now);
    if (validDays == 0) st.bindNull(5);
    else st.bind(5, now + int64_t(validDays) * 86400);
    st.run();
    forgetLocked();  // a replaced token must stop working at once
    return token;
}

void ApiClients::forgetLocked() { known_.clear(); }

TokenCheck ApiClients::check(const std::string& token, int64_t now) {
    if (token.empty() || token.size() > 256) return {};
    std::string hash = crypto::sha256(token);
    auto conn = store_.db().lock();
    int64_t version = conn.dataVersion();
    if (version != seenVersion_) {  // another process wrote: a token there may have been replaced
        forgetLocked();
        seenVersion_ = version;
    }
    auto it = known_.find(hash);
    if (it != known_.end()) return checked(it->second, now);
    auto st = conn.prepare(std::string(kClientColumns) + "WHERE token_hash = ?");
    st.bindBlob(1, hash);
    if (!st.step()) return {};
    ApiClient client = clientOf(st);
    known_[hash] = client;
    return checked(client, now);
}

std::vector<ApiClient> ApiClients::list() {
    std::vector<ApiClient> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kClientColumns) + "ORDER BY name");
    while (st.step()) out.push_back(clientOf(st));
    return out;
}

bool ApiClients::revoke(const std::string& name) {
    auto conn = store_.db().lock();
    conn.prepare("DELETE FROM api_clients WHERE name = ?").bind(1, name).run();
    bool removed = conn.changes() > 0;
    forgetLocked();
    return removed;
}

}  // namespace kh::store
