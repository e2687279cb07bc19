// Receipt computers allowed to use the HTTP API. A token is shown once when made; only its SHA-256 is kept.
// Known hashes are remembered in memory, so a request's token check does not wait on the database.
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct ApiClient {
    int64_t id = 0;
    std::string name;
    std::vector<std::string> allowCidrs;  // empty: any address
};

class ApiClients {
public:
    explicit ApiClients(Store& store) : store_(store) {}
    // Creates (or replaces the token of) a client and returns the new token, in clear, once.
    std::string issue(const std::string& name, const std::vector<std::string>& allowCidrs);
    std::optional<ApiClient> authenticate(const std::string& token);
    std::vector<ApiClient> list();
    bool revoke(const std::string& name);  // false when there is no such client; its token stops at once

private:
    Store& store_;
    std::mutex mutex_;
    std::unordered_map<std::string, ApiClient> known_;  // token hash → client
};

}  // namespace kh::store
