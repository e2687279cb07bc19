// The setup code (初期設定コード): while no account exists yet, each start makes a one-time code
// that the gateway prints to its console and log; whoever can read those may create the first
// administrator with it. Only a keyed hash is stored; ten wrong tries spend it until the next start.
#pragma once
#include <optional>
#include <string>

#include "store/store.hpp"
#include "store/users.hpp"

namespace kh::store {

class SetupCode {
public:
    explicit SetupCode(Store& store) : store_(store) {}

    // A new code "XXXX-XXXX-XXXX" (60 random bits) replacing any earlier one while no account exists;
    // otherwise nullopt, and an old code is removed.
    std::optional<std::string> issueIfNoAdministrator(Users& users);
    // True once for the right code (then it is gone). False for a wrong one, and for every try after
    // ten wrong ones until a new code is issued.
    bool consume(const std::string& code);
    // The first administrator, made with the right code in one transaction with spending it: when the
    // account cannot be made, the code stays as it was. Throws model::KakehashiError(SetupCodeWrong) for
    // a wrong code (counted like consume's), SetupDone once an account exists.
    AdminUser createFirstAdministrator(const std::string& code, Users& users, const Users::CheckedAccount& account);

private:
    std::string hash(const std::string& canonicalCode) const;
    bool matches(const std::string& code, Transaction& inside);  // counts a wrong try

    Store& store_;
};

}  // namespace kh::store
