// Receipt computers allowed to use the HTTP API. A token is shown once when made; only its SHA-256 is kept,
// with the addresses the client may connect from (normalised, model/address_range.hpp) and when the
// token expires (365 days by default; never only when asked for).
//
// Known token hashes are remembered in memory, so checking a request's token is one map lookup. The
// memory is dropped whenever the database was changed by another connection (SQLite's data_version: the
// CLI re-issuing or another process revoking a token), and by this process's own issue and revoke, so a
// replaced or revoked token stops working at once, without a restart. The check costs one PRAGMA on the
// open connection per request.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct ApiClient {
    int64_t id = 0;
    std::string name;
    std::vector<std::string> allowCidrs;  // normalised; empty: any address
    int64_t createdAt = 0;                // when its current token was issued, unix seconds
    std::optional<int64_t> expiresAt;     // unix seconds; nullopt: never

    bool expired(int64_t now) const { return expiresAt && now >= *expiresAt; }
};

// A request's token checked: the client when the token is valid now; `expired` when it is known but past
// its expiry (the client is not given then).
struct TokenCheck {
    std::optional<ApiClient> client;
    bool expired = false;
};

class ApiClients {
public:
    static constexpr int kDefaultValidDays = 365;
    static constexpr int kMostValidDays = 3650;

    explicit ApiClients(Store& store) : store_(store) {}
    // Creates (or replaces the token of) a client and returns the new token, in clear, once. `validDays`
    // 0 means it never expires. Throws model::KakehashiError(InvalidField) for an address range that is
    // not one (naming it) or days out of 0..kMostValidDays.
    std::string issue(const std::string& name, const std::vector<std::string>& allowCidrs, int validDays = kDefaultValidDays);
    TokenCheck check(const std::string& token, int64_t now);
    std::optional<ApiClient> authenticate(const std::string& token) { return check(token, nowSeconds()).client; }
    std::vector<ApiClient> list();
    bool revoke(const std::string& name);  // false when there is no such client; its token stops at once

private:
    void forgetLocked();

    Store& store_;
    // Under the database's lock, like the rows they mirror.
    std::unordered_map<std::string, ApiClient> known_;  // token hash → client
    int64_t seenVersion_ = -1;                          // data_version when known_ was last right
};

}  // namespace kh::store
