// The state of the identity endpoints: the challenges handed out for card checks on a home visit —
// a nonce of 32 random bytes, bound to the institution that asked, single use, valid for the
// challenge TTL — and the record of every verify the simulator processed (/sim/identity/verifications).
// One store, one mutex; readers get copies. Keeps the newest 100,000 of each.
#pragma once
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ksim {

struct Challenge {
    std::string nonce;        // 64 lower-case hex digits
    std::string institution;  // 医療機関等コード of the client certificate that asked
    std::string issuedAt, expiresAt;  // YYYYMMDDHHmmss, Japan time
    std::chrono::steady_clock::time_point expires;
    bool used = false;
};

// What a verify finds when it presents a nonce.
enum class NonceCheck { Accepted, Unknown, Expired, Used };

// One processed verify, as /sim/identity/verifications lists it. Empty fields were not known (or not
// valid) when the verify ended.
struct Verification {
    std::string requestId, institution, method, serial, staffId;
    std::string outcome;      // "verified" or the refusal's code
    std::string noncePrefix;  // the nonce's first 8 hex digits
};

class ChallengeStore {
public:
    static constexpr std::size_t kKept = 100000;

    // A new challenge for the institution, valid for ttlSeconds. The nonce comes from OpenSSL's
    // CSPRNG (RAND_bytes); throws std::runtime_error when it fails.
    Challenge issue(const std::string& institution, int ttlSeconds);
    // Test aid (a replayed answer on the link): the institution's next challenge hands out its last
    // nonce again instead of a new one, so the verify that follows presents a used nonce.
    void replayNext(const std::string& institution);
    // Presents a nonce (lower-case hex) for a verify of the institution. A nonce issued to another
    // institution is Unknown to this one and stays as it was; otherwise the first presentation uses
    // it up, whatever the verify's outcome after that (Expired is reported before Used).
    NonceCheck consume(const std::string& nonce, const std::string& institution);

    void record(Verification verification);
    std::vector<Verification> verifications() const;

    // Forgets every challenge and verification.
    void clear();

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Challenge> challenges_;  // by nonce
    std::deque<std::string> order_;                          // nonces, oldest first
    std::deque<Verification> verifications_;
    std::unordered_map<std::string, std::string> lastNonce_;  // by institution
    std::unordered_map<std::string, bool> replay_;           // by institution: next issue() replays
};

}  // namespace ksim
