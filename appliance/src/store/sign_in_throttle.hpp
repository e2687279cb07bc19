// The per-address throttle of sign-in tries (サインイン試行の制限): each machine on the LAN may fail a burst
// of tries, then one more every few seconds, whatever accounts it tries. The per-account lockout cannot do
// this: it is per account and address, so without a throttle one machine could guess at every account in
// turn. A bucket refills by itself and a full one is the same as none, so the state is kept in memory: a
// restart only gives every address its burst again. It is capped, so an attacker rotating addresses
// cannot grow it.
#pragma once
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace kh::store {

struct ThrottlePolicy {
    int burst = 10;                    // failed tries an address may make at once
    std::chrono::seconds refill{3};    // then one more per this long
    size_t maxAddresses = 4096;        // addresses remembered; those nearest to a full bucket are forgotten first
};

class SignInThrottle {
public:
    using Clock = std::chrono::steady_clock;  // immune to changes of the wall clock

    // The answer to a try: admitted (its token taken), or refused with the wait until the next token.
    class Admission {
    public:
        // Moved, never copied: a token goes back at most once.
        Admission(Admission&& other) noexcept
            : admitted_(other.admitted_), throttle_(std::exchange(other.throttle_, nullptr)),
              address_(std::move(other.address_)), retryAfter_(other.retryAfter_) {}
        Admission(const Admission&) = delete;
        Admission& operator=(const Admission&) = delete;
        Admission& operator=(Admission&&) = delete;

        explicit operator bool() const { return admitted_; }
        std::chrono::seconds retryAfter() const { return retryAfter_; }
        // A try that succeeded gives its token back: only failures use the bucket up, so staff who sign in
        // often are never slowed down. Does nothing for a refused try, or the second time.
        void succeeded();

    private:
        friend class SignInThrottle;
        Admission(SignInThrottle* throttle, std::string address, std::chrono::seconds retryAfter)
            : admitted_(throttle != nullptr), throttle_(throttle), address_(std::move(address)), retryAfter_(retryAfter) {}

        bool admitted_;
        SignInThrottle* throttle_;  // null once the token went back, or when refused
        std::string address_;
        std::chrono::seconds retryAfter_;
    };

    explicit SignInThrottle(ThrottlePolicy policy = {});

    [[nodiscard]] Admission admit(const std::string& address, Clock::time_point now);
    size_t addressesKept() const;

private:
    void giveBack(const std::string& address);
    void makeRoom(Clock::time_point now);

    const ThrottlePolicy policy_;
    mutable std::mutex mutex_;
    // Per address, when its bucket is full again: the bucket holds burst - ceil((fullAt - now) / refill)
    // tokens. One time point per address is the whole state (the "generic cell rate" form of a bucket).
    std::map<std::string, Clock::time_point> fullAt_;
};

}  // namespace kh::store
