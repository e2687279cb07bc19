#include "store/sign_in_failures.hpp"

#include <algorithm>
#include <cctype>

namespace kh::store {
namespace {
std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
}  // namespace

SignInFailures::SignInFailures(Store& store, LockoutPolicy policy) : store_(store), policy_(policy) {}

// Lower case, as accounts are found by name in any case.
std::string SignInFailures::nameKey(const std::string& username) const {
    return store_.key().blindIndex({"admin-sign-in-name", lower(username)});
}

std::optional<int64_t> SignInFailures::lockedUntil(const std::string& username, const std::string& address, int64_t now) {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT locked_until FROM admin_sign_in_failures WHERE name_key = ? AND address = ?");
    st.bindBlob(1, nameKey(username)).bind(2, address);
    if (!st.step() || st.int64(0) <= now) return std::nullopt;
    return st.int64(0);
}

std::optional<int64_t> SignInFailures::record(const std::string& username, const std::string& address, int64_t now) {
    std::string key = nameKey(username);
    Transaction tx(store_.db());
    forgetOld(tx, now);
    int64_t failures = 0, until = 0;
    {
        auto st = tx.prepare("SELECT failures, locked_until FROM admin_sign_in_failures WHERE name_key = ? AND address = ?");
        st.bindBlob(1, key).bind(2, address);
        if (st.step()) {
            failures = st.int64(0);
            until = st.int64(1);
        }
    }
    if (until != 0 && until <= now) failures = until = 0;  // a lock that has ended starts a new count
    ++failures;
    if (until == 0 && failures >= policy_.maxFailures) until = now + policy_.lock.count();
    tx.prepare("INSERT INTO admin_sign_in_failures(name_key, address, failures, last_failure_at, locked_until) "
               "VALUES(?,?,?,?,?) ON CONFLICT(name_key, address) DO UPDATE SET failures = excluded.failures, "
               "last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until")
        .bindBlob(1, key).bind(2, address).bind(3, failures).bind(4, now).bind(5, until)
        .run();
    keepWithinCap(tx, now);
    tx.commit();
    if (until > now) return until;
    return std::nullopt;
}

// A row with no lock in force and no failure for a lock period is forgotten.
void SignInFailures::forgetOld(Transaction& tx, int64_t now) {
    tx.prepare("DELETE FROM admin_sign_in_failures WHERE locked_until <= ? AND last_failure_at <= ?")
        .bind(1, now).bind(2, now - policy_.lock.count())
        .run();
}

// Past the cap, rows without a lock in force go first, oldest first.
void SignInFailures::keepWithinCap(Transaction& tx, int64_t now) {
    int64_t over = rows() - int64_t(policy_.maxRows);
    if (over <= 0) return;
    tx.prepare("DELETE FROM admin_sign_in_failures WHERE (name_key, address) IN (SELECT name_key, address FROM "
               "admin_sign_in_failures ORDER BY locked_until > ?, last_failure_at, locked_until LIMIT ?)")
        .bind(1, now).bind(2, over)
        .run();
}

void SignInFailures::clear(const std::string& username, const std::string& address) {
    auto conn = store_.db().lock();
    conn.prepare("DELETE FROM admin_sign_in_failures WHERE name_key = ? AND address = ?")
        .bindBlob(1, nameKey(username)).bind(2, address)
        .run();
}

void SignInFailures::clearAll(const std::string& username) {
    auto conn = store_.db().lock();
    conn.prepare("DELETE FROM admin_sign_in_failures WHERE name_key = ?").bindBlob(1, nameKey(username)).run();
}

SignInFailures::Summary SignInFailures::summary(const std::string& username, int64_t now) {
    Summary s;
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT address, failures, locked_until, last_failure_at FROM admin_sign_in_failures "
                           "WHERE name_key = ? ORDER BY address");
    st.bindBlob(1, nameKey(username));
    while (st.step()) {
        int64_t until = st.int64(2);
        bool lockInForce = until > now;
        bool counting = until == 0 && st.int64(3) > now - policy_.lock.count();
        if (!lockInForce && !counting) continue;  // an ended lock or old failures: they no longer count
        s.failures += int(st.int64(1));
        if (!lockInForce) continue;
        s.lockedUntil = std::max(s.lockedUntil, until);
        s.lockedFrom.push_back(st.text(0));
    }
    return s;
}

int64_t SignInFailures::rows() {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT COUNT(*) FROM admin_sign_in_failures");
    st.step();
    return st.int64(0);
}

}  // namespace kh::store
