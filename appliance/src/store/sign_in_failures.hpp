// Failed sign-ins counted per user name and client address (ログイン失敗の記録). Enough failures lock the
// name for that address only: an attacker on the LAN can lock an account out of his own machine, never out
// of the others, so he cannot keep the administrator out by failing on purpose.
//
// Names are counted as typed, whether or not an account has them, so that an unknown name costs the same
// store work as a real one and is locked alike. They are kept as keyed hashes: a mistyped name may be a
// password. The rows are bounded: failures are forgotten after a quiet lock period, and past a cap the
// oldest unlocked rows go first. Filling the cap takes many scrypt-priced failures through the per-address
// throttle, far more than fit into one lock period, so no lock can be pushed out early by flooding.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct LockoutPolicy {
    int maxFailures = 5;              // failures of one name from one address that lock it there
    std::chrono::seconds lock{900};   // how long; failures with no new one for this long are forgotten too
    size_t maxRows = 10000;
};

class SignInFailures {
public:
    SignInFailures(Store& store, LockoutPolicy policy);

    // The lock's end while `username` is locked for `address` at `now`.
    std::optional<int64_t> lockedUntil(const std::string& username, const std::string& address, int64_t now);
    // Counts a failure; the lock's end when the name is locked for the address after it. A failure while
    // locked is counted but does not make the lock longer.
    std::optional<int64_t> record(const std::string& username, const std::string& address, int64_t now);
    void clear(const std::string& username, const std::string& address);  // after a sign-in from there
    void clearAll(const std::string& username);                           // an administrator lifts every lock

    struct Summary {
        int failures = 0;                    // counted, from every address
        int64_t lockedUntil = 0;             // the latest end of a lock in force, 0 when none
        std::vector<std::string> lockedFrom; // the addresses it is locked for, in order
    };
    Summary summary(const std::string& username, int64_t now);
    int64_t rows();

private:
    std::string nameKey(const std::string& username) const;
    void forgetOld(Transaction& tx, int64_t now);
    void keepWithinCap(Transaction& tx, int64_t now);

    Store& store_;
    const LockoutPolicy policy_;
};

}  // namespace kh::store
