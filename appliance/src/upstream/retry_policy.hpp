// When to try the central system again: exponential backoff with full jitter, and a circuit breaker that
// stops hammering a link that is down and lets one probe through after a cool-down.
#pragma once
#include <cstdint>
#include <mutex>
#include <random>

namespace kh::upstream {

struct BackoffSettings {
    int64_t baseMillis = 500;
    int64_t maxMillis = 60000;
};

// Delay before attempt number `attempt` (1 = first retry): uniform in [base*2^(attempt-1)/2, base*2^(attempt-1)],
// capped at max. Half-jitter keeps retries spread out but never immediate.
int64_t backoffMillis(const BackoffSettings& s, int attempt, std::mt19937_64& rng);

class CircuitBreaker {
public:
    CircuitBreaker(int failureThreshold = 5, int64_t coolDownMillis = 10000)
        : threshold_(failureThreshold), coolDownMillis_(coolDownMillis) {}

    enum class State { Closed, Open, HalfOpen };
    bool allowRequest(int64_t nowMillis);  // Open → HalfOpen after the cool-down (one probe)
    void recordSuccess();
    void recordFailure(int64_t nowMillis);
    State state(int64_t nowMillis);
    // Seen from the services: is the link believed up? (closed, or a probe is due)
    bool linkUp();

private:
    std::mutex mutex_;
    int threshold_;
    int64_t coolDownMillis_;
    int failures_ = 0;
    State state_ = State::Closed;
    int64_t openedAt_ = 0;
};

int64_t steadyMillis();

}  // namespace kh::upstream
