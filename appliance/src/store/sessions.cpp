#include "store/sessions.hpp"

#include "crypto/encoding.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"

namespace kh::store {
namespace {
constexpr size_t kTokenBytes = 32;
constexpr size_t kMaxTokenText = 128;  // a token is 43 characters; anything far longer is not one

std::string newToken() {
    std::string bytes = crypto::randomBytes(kTokenBytes);
    std::string token = crypto::base64Encode(bytes, crypto::Base64Alphabet::Url, false);  // cookie- and header-safe
    crypto::secureZero(bytes);
    return token;
}

bool plausible(const std::string& token) { return !token.empty() && token.size() <= kMaxTokenText; }
}  // namespace

Sessions::Sessions(Store& store, int idleSeconds, int absoluteSeconds)
    : store_(store), idleSeconds_(idleSeconds), absoluteSeconds_(absoluteSeconds) {}

std::string Sessions::tokenHash(const std::string& token) { return crypto::hex(crypto::sha256(token)); }

std::pair<std::string, AdminSession> Sessions::open(int64_t userId, bool secondFactorPassed,
                                                    const std::string& remoteAddress, int64_t now) {
    std::string token = newToken();
    AdminSession s{tokenHash(token), userId, newToken(), secondFactorPassed, now, now, now + absoluteSeconds_,
                   remoteAddress};
    auto conn = store_.db().lock();
    insert(conn, s);
    return {token, s};
}

void Sessions::insert(Connection& conn, const AdminSession& s) {
    conn.prepare("INSERT INTO admin_sessions(token_hash, user_id, csrf_token, totp_passed, created_at, last_seen_at, "
                 "expires_at, remote_address) VALUES(?,?,?,?,?,?,?,?)")
        .bind(1, s.tokenHash).bind(2, s.userId).bind(3, s.csrfToken).bind(4, s.secondFactorPassed ? 1 : 0)
        .bind(5, s.createdAt).bind(6, s.lastSeenAt).bind(7, s.expiresAt).bind(8, s.remoteAddress)
        .run();
}

std::optional<AdminSession> Sessions::touch(const std::string& token, int64_t now) {
    if (!plausible(token)) return std::nullopt;
    AdminSession s;
    s.tokenHash = tokenHash(token);
    auto conn = store_.db().lock();
    {
        auto st = conn.prepare("SELECT user_id, csrf_token, totp_passed, created_at, last_seen_at, expires_at, "
                               "remote_address FROM admin_sessions WHERE token_hash = ?");
        st.bind(1, s.tokenHash);
        if (!st.step()) return std::nullopt;
        s.userId = st.int64(0);
        s.csrfToken = st.text(1);
        s.secondFactorPassed = st.int64(2) != 0;
        s.createdAt = st.int64(3);
        s.lastSeenAt = st.int64(4);
        s.expiresAt = st.int64(5);
        s.remoteAddress = st.text(6);
    }
    if (now - s.lastSeenAt > idleSeconds_ || now >= s.expiresAt) {
        conn.prepare("DELETE FROM admin_sessions WHERE token_hash = ?").bind(1, s.tokenHash).run();
        return std::nullopt;
    }
    s.lastSeenAt = now;
    conn.prepare("UPDATE admin_sessions SET last_seen_at = ? WHERE token_hash = ?").bind(1, now).bind(2, s.tokenHash).run();
    return s;
}

std::pair<std::string, AdminSession> Sessions::renewAfterSecondFactor(const std::string& token, int64_t now) {
    auto unknown = [] {
        return model::KakehashiError(model::ErrorId::Unauthorized, "セッションが見つかりません（no such session）");
    };
    if (!plausible(token)) throw unknown();
    Transaction tx(store_.db());
    AdminSession s;
    {
        auto st = tx.prepare("SELECT user_id, created_at, expires_at, remote_address FROM admin_sessions WHERE token_hash = ?");
        st.bind(1, tokenHash(token));
        if (!st.step()) throw unknown();
        s.userId = st.int64(0);
        s.createdAt = st.int64(1);
        s.expiresAt = st.int64(2);  // the second factor does not make the session last longer
        s.remoteAddress = st.text(3);
    }
    tx.prepare("DELETE FROM admin_sessions WHERE token_hash = ?").bind(1, tokenHash(token)).run();
    std::string fresh = newToken();
    s.tokenHash = tokenHash(fresh);
    s.csrfToken = newToken();
    s.secondFactorPassed = true;
    s.lastSeenAt = now;
    insert(tx, s);
    tx.commit();
    return {fresh, s};
}

void Sessions::close(const std::string& token) {
    if (!plausible(token)) return;
    auto conn = store_.db().lock();
    conn.prepare("DELETE FROM admin_sessions WHERE token_hash = ?").bind(1, tokenHash(token)).run();
}

void Sessions::closeAllFor(int64_t userId) {
    auto conn = store_.db().lock();
    conn.prepare("DELETE FROM admin_sessions WHERE user_id = ?").bind(1, userId).run();
}

void Sessions::purgeExpired(int64_t now) {
    auto conn = store_.db().lock();
    conn.prepare("DELETE FROM admin_sessions WHERE expires_at <= ? OR last_seen_at < ?")
        .bind(1, now).bind(2, now - idleSeconds_)
        .run();
}

}  // namespace kh::store
