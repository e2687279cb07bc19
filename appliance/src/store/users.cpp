#include "store/users.hpp"

#include <algorithm>
#include <cctype>

#include "crypto/password.hpp"
#include "crypto/primitives.hpp"
#include "crypto/totp.hpp"
#include "model/errors.hpp"
#include "model/password_policy.hpp"
#include "model/recovery_code.hpp"

namespace kh::store {
namespace {
using model::ErrorId;
using model::KakehashiError;

constexpr size_t kMaxUsername = 32;

// Checked against when the name is unknown, so that answer takes as long as a wrong password.
const std::string kDummyHash =
    "scrypt$15$8$1$pteSiD8IShDe4eDhGmpqGg$wcgNLtO/4Na6alFWztxQfEgAIxca4TNzklod44pqqHg";

const char kColumns[] =
    "SELECT id, username, display_name, role, password_hash, totp_secret_sealed IS NOT NULL, disabled, "
    "created_at, created_by, password_changed_at, "
    "(SELECT COUNT(*) FROM admin_recovery_codes WHERE user_id = admin_users.id) FROM admin_users ";

std::string joinWith(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

bool validUsername(const std::string& name) {
    if (name.empty() || name.size() > kMaxUsername) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

std::string withoutSpaces(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c != ' ') out += c;
    return out;
}

bool isTotpShape(const std::string& code) {
    return code.size() == size_t(crypto::kTotpDigits) &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

KakehashiError nameTaken() {
    return KakehashiError(ErrorId::InvalidField, "この利用者名は既に使われています。別の名前を入力してください");
}

std::string totpAad(int64_t id) { return "admin_users.totp:" + std::to_string(id); }
std::string pendingTotpAad(int64_t id) { return "admin_users.totp_pending:" + std::to_string(id); }
}  // namespace

struct Users::Row {
    AdminUser user;
    std::string passwordHash;
};

Users::Row Users::readRow(Statement& st) {
    Row r;
    r.user.id = st.int64(0);
    r.user.username = st.text(1);
    r.user.displayName = st.text(2);
    r.user.role = roleFromName(st.text(3)).value_or(Role::Auditor);  // the CHECK keeps other names out
    r.passwordHash = st.text(4);
    r.user.totpEnabled = st.int64(5) != 0;
    r.user.disabled = st.int64(6) != 0;
    r.user.createdAt = st.int64(7);
    r.user.createdBy = st.text(8);
    r.user.passwordChangedAt = st.int64(9);
    r.user.recoveryCodesLeft = int(st.int64(10));
    return r;
}

const char* roleName(Role role) {
    switch (role) {
        case Role::Administrator: return "administrator";
        case Role::Operator: return "operator";
        case Role::Auditor: return "auditor";
    }
    return "auditor";
}

std::optional<Role> roleFromName(const std::string& name) {
    for (Role r : {Role::Administrator, Role::Operator, Role::Auditor})
        if (name == roleName(r)) return r;
    return std::nullopt;
}

Users::Users(Store& store, LockoutPolicy lockout) : store_(store), failures_(store, lockout) {}

int64_t Users::count() {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT COUNT(*) FROM admin_users");
    st.step();
    return st.int64(0);
}

int64_t Users::enabledAdministratorCount() {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT COUNT(*) FROM admin_users WHERE role = 'administrator' AND disabled = 0");
    st.step();
    return st.int64(0);
}

std::optional<Users::Row> Users::rowByName(const std::string& username) {
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kColumns) + "WHERE username = ?");
    st.bind(1, username);
    if (!st.step()) return std::nullopt;
    return readRow(st);
}

std::optional<Users::Row> Users::rowById(int64_t id) {
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kColumns) + "WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return readRow(st);
}

Users::CheckedAccount Users::check(const std::string& username, const std::string& displayName, Role role,
                                   const std::string& password) {
    if (!validUsername(username))
        throw KakehashiError(ErrorId::InvalidField,
                             "利用者名は英数字と . _ - の1〜32文字で入力してください");
    if (rowByName(username)) throw nameTaken();
    auto problems = model::passwordProblems(password, username);
    if (!problems.empty()) throw KakehashiError(ErrorId::InvalidField, joinWith(problems, "\n"));
    return CheckedAccount(username, displayName, role, crypto::hashPassword(password));
}

AdminUser Users::add(const CheckedAccount& account, const std::string& by, Transaction& tx) {
    if (rowByName(account.username_)) throw nameTaken();  // made by someone else since the check
    int64_t now = nowSeconds();
    tx.prepare("INSERT INTO admin_users(username, display_name, role, password_hash, created_at, created_by, "
               "password_changed_at) VALUES(?,?,?,?,?,?,?)")
        .bind(1, account.username_).bind(2, account.displayName_).bind(3, roleName(account.role_))
        .bind(4, account.passwordHash_).bind(5, now).bind(6, by).bind(7, now)
        .run();
    return rowById(tx.lastInsertId())->user;
}

AdminUser Users::create(const std::string& username, const std::string& displayName, Role role,
                        const std::string& password, const std::string& by) {
    auto account = check(username, displayName, role, password);
    Transaction tx(store_.db());
    auto user = add(account, by, tx);
    tx.commit();
    return user;
}

std::optional<AdminUser> Users::find(const std::string& username) {
    auto r = rowByName(username);
    if (!r) return std::nullopt;
    return r->user;
}

std::optional<AdminUser> Users::get(int64_t id) {
    auto r = rowById(id);
    if (!r) return std::nullopt;
    return r->user;
}

std::vector<AdminUser> Users::list() {
    std::vector<AdminUser> out;
    auto conn = store_.db().lock();
    auto st = conn.prepare(std::string(kColumns) + "ORDER BY username");
    while (st.step()) out.push_back(readRow(st).user);
    return out;
}

Users::PasswordOutcome Users::checkPassword(const std::string& username, const std::string& password,
                                            const std::string& address, int64_t now) {
    auto r = validUsername(username) ? rowByName(username) : std::nullopt;
    bool locked = failures_.lockedUntil(username, address, now).has_value();
    // The hash is checked whatever the name and the lock: skipping it would answer an unknown name or a
    // locked one a tenth of a second sooner, which tells an attacker which names are accounts.
    bool right = crypto::verifyPassword(password, r ? r->passwordHash : kDummyHash);
    if (!r || locked || !right) {
        auto until = failures_.record(username, address, now);  // unknown names too: the same store work every time
        return {PasswordCheck::Refused, std::nullopt, until && !locked ? *until : 0};
    }
    if (r->user.disabled) return {PasswordCheck::Disabled, r->user};
    // With TOTP on, the count is cleared only by the second factor: a known password must not buy
    // unlimited guesses at the code.
    if (!r->user.totpEnabled) failures_.clear(username, address);
    if (crypto::passwordNeedsRehash(r->passwordHash)) {
        std::string hash = crypto::hashPassword(password);
        auto conn = store_.db().lock();
        conn.prepare("UPDATE admin_users SET password_hash = ? WHERE id = ?").bind(1, hash).bind(2, r->user.id).run();
    }
    return {PasswordCheck::Ok, rowById(r->user.id)->user};
}

Users::SecondFactorOutcome Users::checkSecondFactor(int64_t userId, const std::string& code, const std::string& address,
                                                    int64_t now) {
    auto r = rowById(userId);
    if (!r || r->user.disabled) return {SecondFactorCheck::Wrong};
    const std::string& name = r->user.username;
    if (auto until = failures_.lockedUntil(name, address, now)) return {SecondFactorCheck::Locked, *until};
    std::string typed = withoutSpaces(code);
    bool accepted = isTotpShape(typed) ? acceptTotp(userId, typed, now) : acceptRecoveryCode(userId, typed);
    if (!accepted) {
        if (auto until = failures_.record(name, address, now)) return {SecondFactorCheck::Locked, *until};
        return {SecondFactorCheck::Wrong};
    }
    failures_.clear(name, address);
    return {SecondFactorCheck::Accepted};
}

SignInFailures::Summary Users::signInFailures(const AdminUser& user, int64_t now) {
    return failures_.summary(user.username, now);
}

bool Users::acceptTotp(int64_t id, const std::string& code, int64_t now) {
    Transaction tx(store_.db());
    std::string sealed;
    int64_t lastStep = 0;
    {
        auto st = tx.prepare("SELECT totp_secret_sealed, totp_last_step FROM admin_users WHERE id = ?");
        st.bind(1, id);
        if (!st.step() || st.isNull(0)) return false;
        sealed = st.blob(0);
        lastStep = st.int64(1);
    }
    std::string secret = store_.key().open(sealed, totpAad(id));
    auto step = crypto::totpStepMatching(secret, code, now);
    crypto::secureZero(secret);
    if (!step || *step <= lastStep) return false;  // a step already used is a replayed code
    tx.prepare("UPDATE admin_users SET totp_last_step = ? WHERE id = ?").bind(1, *step).bind(2, id).run();
    tx.commit();
    return true;
}

// Using a code deletes its row. Looked up by its keyed hash, so how long the lookup takes tells nothing
// about the codes kept.
bool Users::acceptRecoveryCode(int64_t id, const std::string& code) {
    auto canonical = model::canonicalRecoveryCode(code);
    if (!canonical) return false;
    std::string hash = recoveryCodeHash(id, *canonical);
    auto conn = store_.db().lock();
    conn.prepare("DELETE FROM admin_recovery_codes WHERE user_id = ? AND code_hash = ?").bind(1, id).bind(2, hash).run();
    return conn.changes() > 0;
}

// Keyed with the data key and bound to the user: 40-bit codes cannot be searched for from a copied database.
std::string Users::recoveryCodeHash(int64_t id, const std::string& code) const {
    return crypto::hex(store_.key().blindIndex({"admin-recovery-code", std::to_string(id), code}));
}

std::string Users::beginTotpEnrolment(int64_t userId) {
    require(userId);
    std::string secret = crypto::newTotpSecret();
    auto conn = store_.db().lock();
    conn.prepare("UPDATE admin_users SET totp_pending_sealed = ? WHERE id = ?")
        .bindBlob(1, store_.key().seal(secret, pendingTotpAad(userId))).bind(2, userId)
        .run();
    return secret;
}

std::optional<std::vector<std::string>> Users::confirmTotpEnrolment(int64_t userId, const std::string& code, int64_t now) {
    Transaction tx(store_.db());
    std::string sealed;
    int64_t lastStep = 0;
    {
        auto st = tx.prepare("SELECT totp_pending_sealed, totp_last_step FROM admin_users WHERE id = ?");
        st.bind(1, userId);
        if (!st.step() || st.isNull(0)) return std::nullopt;
        sealed = st.blob(0);
        lastStep = st.int64(1);
    }
    std::string secret = store_.key().open(sealed, pendingTotpAad(userId));
    auto step = crypto::totpStepMatching(secret, withoutSpaces(code), now);
    if (!step || *step <= lastStep) {
        crypto::secureZero(secret);
        return std::nullopt;
    }
    tx.prepare("UPDATE admin_users SET totp_secret_sealed = ?, totp_pending_sealed = NULL, totp_last_step = ? WHERE id = ?")
        .bindBlob(1, store_.key().seal(secret, totpAad(userId))).bind(2, *step).bind(3, userId)
        .run();
    crypto::secureZero(secret);
    tx.prepare("DELETE FROM admin_recovery_codes WHERE user_id = ?").bind(1, userId).run();
    std::vector<std::string> codes;
    for (int i = 0; i < model::kRecoveryCodesPerEnrolment; ++i) {
        std::string random = crypto::randomBytes(model::kRecoveryCodeRandomBytes);
        codes.push_back(model::recoveryCodeFrom(random));
        crypto::secureZero(random);
        tx.prepare("INSERT OR IGNORE INTO admin_recovery_codes(user_id, code_hash) VALUES(?, ?)")
            .bind(1, userId).bind(2, recoveryCodeHash(userId, codes.back()))
            .run();
    }
    tx.commit();
    return codes;
}

AdminUser Users::require(int64_t id) {
    auto user = get(id);
    if (!user) throw KakehashiError(ErrorId::NotFound, "利用者が見つかりません");
    return *user;
}

void Users::setPassword(int64_t id, const std::string& password) {
    auto problems = model::passwordProblems(password, require(id).username);
    if (!problems.empty()) throw KakehashiError(ErrorId::InvalidField, joinWith(problems, "\n"));
    std::string hash = crypto::hashPassword(password);
    auto conn = store_.db().lock();
    conn.prepare("UPDATE admin_users SET password_hash = ?, password_changed_at = ? WHERE id = ?")
        .bind(1, hash).bind(2, nowSeconds()).bind(3, id)
        .run();
}

// Called inside the change's transaction, so two administrators demoting each other cannot both succeed.
void Users::keepAnAdministrator(const AdminUser& user, bool staysEnabledAdministrator) {
    bool isEnabledAdministrator = user.role == Role::Administrator && !user.disabled;
    if (isEnabledAdministrator && !staysEnabledAdministrator && enabledAdministratorCount() <= 1)
        throw KakehashiError(ErrorId::InvalidField,
                             "有効な管理者が1人もいなくなるため変更できません");
}

void Users::setRole(int64_t id, Role role) {
    Transaction tx(store_.db());
    AdminUser user = require(id);
    keepAnAdministrator(user, role == Role::Administrator && !user.disabled);
    tx.prepare("UPDATE admin_users SET role = ? WHERE id = ?").bind(1, roleName(role)).bind(2, id).run();
    tx.commit();
}

void Users::setDisabled(int64_t id, bool disabled) {
    Transaction tx(store_.db());
    AdminUser user = require(id);
    keepAnAdministrator(user, user.role == Role::Administrator && !disabled);
    tx.prepare("UPDATE admin_users SET disabled = ? WHERE id = ?").bind(1, disabled ? 1 : 0).bind(2, id).run();
    tx.commit();
}

void Users::unlock(int64_t id) { failures_.clearAll(require(id).username); }

void Users::resetTotp(int64_t id) {
    require(id);
    Transaction tx(store_.db());
    tx.prepare("UPDATE admin_users SET totp_secret_sealed = NULL, totp_pending_sealed = NULL WHERE id = ?").bind(1, id).run();
    tx.prepare("DELETE FROM admin_recovery_codes WHERE user_id = ?").bind(1, id).run();
    tx.commit();
}

}  // namespace kh::store
