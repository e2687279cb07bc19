#include "store/api_clients.hpp"

#include <sstream>

#include "crypto/primitives.hpp"

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
}  // namespace

std::string ApiClients::issue(const std::string& name, const std::vector<std::string>& allowCidrs) {
    // 32 random bytes: a token this strong needs no slow hash; SHA-256 is enough to keep it unusable if read.
    std::string token = "kkh_" + crypto::hex(crypto::randomBytes(32));
    {
        std::lock_guard<std::mutex> g(mutex_);
        known_.clear();  // a replaced token must stop working at once
    }
    auto l = store_.db().lock();
    store_.db()
        .prepare("INSERT INTO api_clients(name, token_hash, allow_cidrs, created_at) VALUES(?,?,?,?) "
                 "ON CONFLICT(name) DO UPDATE SET token_hash=excluded.token_hash, allow_cidrs=excluded.allow_cidrs")
        .bind(1, name).bindBlob(2, crypto::sha256(token)).bind(3, joinCidrs(allowCidrs)).bind(4, nowSeconds())
        .run();
    return token;
}

std::optional<ApiClient> ApiClients::authenticate(const std::string& token) {
    if (token.empty() || token.size() > 256) return std::nullopt;
    std::string hash = crypto::sha256(token);
    {
        std::lock_guard<std::mutex> g(mutex_);
        auto it = known_.find(hash);
        if (it != known_.end()) return it->second;
    }
    auto l = store_.db().lock();
    auto st = store_.db().prepare("SELECT id, name, allow_cidrs FROM api_clients WHERE token_hash = ?");
    st.bindBlob(1, hash);
    if (!st.step()) return std::nullopt;
    ApiClient client{st.int64(0), st.text(1), splitCidrs(st.text(2))};
    std::lock_guard<std::mutex> g(mutex_);
    known_[hash] = client;
    return client;
}

std::vector<ApiClient> ApiClients::list() {
    std::vector<ApiClient> out;
    auto l = store_.db().lock();
    auto st = store_.db().prepare("SELECT id, name, allow_cidrs FROM api_clients ORDER BY name");
    while (st.step()) out.push_back({st.int64(0), st.text(1), splitCidrs(st.text(2))});
    return out;
}

bool ApiClients::revoke(const std::string& name) {
    {
        std::lock_guard<std::mutex> g(mutex_);
        known_.clear();
    }
    auto l = store_.db().lock();
    store_.db().prepare("DELETE FROM api_clients WHERE name = ?").bind(1, name).run();
    return store_.db().changes() > 0;
}

}  // namespace kh::store
