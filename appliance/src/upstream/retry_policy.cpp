#include "upstream/retry_policy.hpp"

#include <algorithm>
#include <chrono>

namespace kh::upstream {

int64_t steadyMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t backoffMillis(const BackoffSettings& s, int attempt, std::mt19937_64& rng) {
    int shift = std::clamp(attempt - 1, 0, 30);
    int64_t ceiling = std::min(s.maxMillis, s.baseMillis << shift);
    std::uniform_int_distribution<int64_t> pick(ceiling / 2, std::max<int64_t>(ceiling, 1));
    return pick(rng);
}

bool CircuitBreaker::allowRequest(int64_t now) {
    std::lock_guard<std::mutex> l(mutex_);
    if (state_ == State::Open && now - openedAt_ >= coolDownMillis_) state_ = State::HalfOpen;
    return state_ != State::Open;
}

void CircuitBreaker::recordSuccess() {
    std::lock_guard<std::mutex> l(mutex_);
    failures_ = 0;
    state_ = State::Closed;
}

void CircuitBreaker::recordFailure(int64_t now) {
    std::lock_guard<std::mutex> l(mutex_);
    ++failures_;
    if (state_ == State::HalfOpen || failures_ >= threshold_) {
        state_ = State::Open;
        openedAt_ = now;
    }
}

CircuitBreaker::State CircuitBreaker::state(int64_t now) {
    std::lock_guard<std::mutex> l(mutex_);
    if (state_ == State::Open && now - openedAt_ >= coolDownMillis_) return State::HalfOpen;
    return state_;
}

bool CircuitBreaker::linkUp() {
    std::lock_guard<std::mutex> l(mutex_);
    return state_ == State::Closed && failures_ == 0;
}

}  // namespace kh::upstream
