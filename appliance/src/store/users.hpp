// Web-admin accounts (管理画面の利用者): roles, accounts checked against the password policy
// (model/password_policy), the password and second-factor checks with a lockout per account and client
// address (store/sign_in_failures), TOTP enrolment with one-time recovery codes (model/recovery_code; kept
// as keyed hashes, one row each), and the changes an administrator makes to an account. What a role may
// do, and the audit rows of who did what, belong to the admin layer; this part keeps the rows right and
// never lets the last enabled administrator go.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sign_in_failures.hpp"
#include "store/store.hpp"

namespace kh::store {

enum class Role { Administrator, Operator, Auditor };
const char* roleName(Role role);  // "administrator", "operator", "auditor"
std::optional<Role> roleFromName(const std::string& name);

struct AdminUser {
    int64_t id = 0;
    std::string username, displayName;
    Role role = Role::Operator;
    bool totpEnabled = false;
    bool disabled = false;
    int64_t createdAt = 0;
    std::string createdBy;
    int64_t passwordChangedAt = 0;
    int recoveryCodesLeft = 0;
};

class Users {
public:
    explicit Users(Store& store, LockoutPolicy lockout = {});

    int64_t count();
    int64_t enabledAdministratorCount();

    // A new account whose name and password passed every check, its password hashed. Only Users makes
    // one, so nothing unchecked can be added.
    class CheckedAccount {
    public:
        const std::string& username() const { return username_; }

    private:
        friend class Users;
        CheckedAccount(std::string username, std::string displayName, Role role, std::string passwordHash)
            : username_(std::move(username)), displayName_(std::move(displayName)), role_(role),
              passwordHash_(std::move(passwordHash)) {}

        std::string username_, displayName_;
        Role role_;
        std::string passwordHash_;
    };
    // Throws model::KakehashiError(InvalidField) for a bad or taken username or a weak password. Hashing
    // takes a tenth of a second, so it is done here, before any transaction.
    CheckedAccount check(const std::string& username, const std::string& displayName, Role role,
                         const std::string& password);
    // Adds the account inside the caller's transaction (the first-run setup spends its code in the same
    // one). Throws InvalidField when the name was taken meanwhile.
    AdminUser add(const CheckedAccount& account, const std::string& by, Transaction& inside);
    // check and add, in a transaction of its own.
    AdminUser create(const std::string& username, const std::string& displayName, Role role,
                     const std::string& password, const std::string& by);
    std::optional<AdminUser> find(const std::string& username);  // case-insensitive
    std::optional<AdminUser> get(int64_t id);
    std::vector<AdminUser> list();  // by username

    // Refused stands for an unknown name, a wrong password and a name locked for the address alike: the
    // caller cannot tell them apart, so no answer built from it can.
    enum class PasswordCheck { Ok, Refused, Disabled };
    struct PasswordOutcome {
        PasswordCheck check;
        std::optional<AdminUser> user;  // never set for Refused
        // Set by the refusal that locked the name for the address, for the audit log. Unknown names are
        // counted and locked alike, so this tells nothing about which names are accounts either.
        int64_t lockedUntil = 0;
    };
    // The first factor, from `address` (see store/sign_in_origin). Every refusal does the same work: the
    // scrypt check (against a stand-in hash for an unknown name, against the real one while locked) and
    // one failure counted for the name and address. A disabled account answers Disabled only to the right
    // password.
    PasswordOutcome checkPassword(const std::string& username, const std::string& password,
                                  const std::string& address, int64_t now);

    enum class SecondFactorCheck { Accepted, Wrong, Locked };
    struct SecondFactorOutcome {
        SecondFactorCheck check;
        int64_t lockedUntil = 0;  // for Locked
    };
    // The second factor: a 6-digit TOTP code of a step later than the last one used, or an unused
    // recovery code (xxxx-xxxx). A wrong one counts toward the lockout of the name and address like a
    // wrong password; Locked once it is locked there.
    SecondFactorOutcome checkSecondFactor(int64_t userId, const std::string& code, const std::string& address,
                                          int64_t now);
    // Failures and locks of an account, from every address: for administrators only.
    SignInFailures::Summary signInFailures(const AdminUser& user, int64_t now);

    // A new TOTP secret (raw bytes), kept sealed as pending until a code from it is confirmed.
    std::string beginTotpEnrolment(int64_t userId);
    // On a code of the pending secret: TOTP is on, and 10 new recovery codes are returned (shown once;
    // only their keyed hashes are kept). nullopt for a wrong code or no pending secret.
    std::optional<std::vector<std::string>> confirmTotpEnrolment(int64_t userId, const std::string& code, int64_t now);

    // Changes asked for by `by` (the admin layer writes the audit rows). Throw InvalidField for a weak
    // password or for a change that would leave no enabled administrator, NotFound for an unknown id.
    void setPassword(int64_t id, const std::string& password);
    void setRole(int64_t id, Role role);
    void setDisabled(int64_t id, bool disabled);
    void unlock(int64_t id);  // from every address
    void resetTotp(int64_t id);  // TOTP off, recovery codes gone

private:
    struct Row;
    static Row readRow(Statement& st);
    std::optional<Row> rowByName(const std::string& username);
    std::optional<Row> rowById(int64_t id);
    bool acceptTotp(int64_t id, const std::string& code, int64_t now);
    bool acceptRecoveryCode(int64_t id, const std::string& code);
    std::string recoveryCodeHash(int64_t id, const std::string& code) const;
    AdminUser require(int64_t id);
    void keepAnAdministrator(const AdminUser& user, bool staysEnabledAdministrator);

    Store& store_;
    SignInFailures failures_;
};

}  // namespace kh::store
