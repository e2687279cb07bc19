#include "store/sign_in_throttle.hpp"

#include <algorithm>

namespace kh::store {

void SignInThrottle::Admission::succeeded() {
    if (!throttle_) return;
    throttle_->giveBack(address_);
    throttle_ = nullptr;
}

SignInThrottle::SignInThrottle(ThrottlePolicy policy) : policy_(policy) {}

SignInThrottle::Admission SignInThrottle::admit(const std::string& address, Clock::time_point now) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = fullAt_.find(address);
    Clock::time_point from = it == fullAt_.end() ? now : std::max(it->second, now);
    // Taking a token moves the full time on by one refill; a try is let through while that stays within
    // the burst. The token is taken before the try is checked, so parallel tries cannot overdraw it.
    if (from + policy_.refill - now > policy_.burst * policy_.refill) {
        auto untilNextToken = from - now - (policy_.burst - 1) * policy_.refill;
        auto wait = std::max(std::chrono::ceil<std::chrono::seconds>(untilNextToken), std::chrono::seconds(1));
        return Admission(nullptr, {}, wait);
    }
    if (it == fullAt_.end()) {
        makeRoom(now);
        it = fullAt_.emplace(address, now).first;
    }
    it->second = from + policy_.refill;
    return Admission(this, address, std::chrono::seconds(0));
}

void SignInThrottle::giveBack(const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = fullAt_.find(address);
    if (it != fullAt_.end()) it->second -= policy_.refill;  // forgotten meanwhile: it is full anyway
}

// Caller holds the lock. Addresses whose bucket is full again are the same as unknown ones and go first;
// if the cap is still reached (many addresses failing at once), the one nearest to full is forgotten.
void SignInThrottle::makeRoom(Clock::time_point now) {
    if (fullAt_.size() < policy_.maxAddresses) return;
    for (auto it = fullAt_.begin(); it != fullAt_.end();) it = it->second <= now ? fullAt_.erase(it) : std::next(it);
    while (!fullAt_.empty() && fullAt_.size() >= policy_.maxAddresses)
        fullAt_.erase(std::min_element(fullAt_.begin(), fullAt_.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; }));
}

size_t SignInThrottle::addressesKept() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return fullAt_.size();
}

}  // namespace kh::store
