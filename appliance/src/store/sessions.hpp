// Web-admin sessions: a random token for the browser's cookie, of which only the SHA-256 is kept; a CSRF
// token for forms; whether the second factor was passed; an idle timeout and an absolute end. Passing the
// second factor replaces the session by a new one, so a token planted or seen before it is worth nothing.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "store/store.hpp"

namespace kh::store {

struct AdminSession {
    std::string tokenHash;  // hex SHA-256 of the token
    int64_t userId = 0;
    std::string csrfToken;
    bool secondFactorPassed = false;
    int64_t createdAt = 0, lastSeenAt = 0, expiresAt = 0;
    std::string remoteAddress;
};

class Sessions {
public:
    Sessions(Store& store, int idleSeconds = 900, int absoluteSeconds = 8 * 3600);

    // The token (32 random bytes, base64url; returned this once) and the session it opens.
    std::pair<std::string, AdminSession> open(int64_t userId, bool secondFactorPassed, const std::string& remoteAddress,
                                              int64_t now);
    // The live session of a token, its last activity moved to `now`; nullopt when unknown, idle too long
    // or past its end (then it is removed). Whether the user is still enabled is the caller's check.
    std::optional<AdminSession> touch(const std::string& token, int64_t now);
    // The session of `token` closed and a new one opened in its place, with the second factor passed, a
    // new token and a new CSRF token (a form from before stops working too); the user, the address and
    // the absolute end stay. The old token is refused from then on. Throws
    // model::KakehashiError(Unauthorized) for an unknown token.
    std::pair<std::string, AdminSession> renewAfterSecondFactor(const std::string& token, int64_t now);
    void close(const std::string& token);
    void closeAllFor(int64_t userId);  // after a password change, a reset, disabling
    void purgeExpired(int64_t now);

    static std::string tokenHash(const std::string& token);

private:
    void insert(Connection& conn, const AdminSession& s);

    Store& store_;
    int idleSeconds_, absoluteSeconds_;
};

}  // namespace kh::store
