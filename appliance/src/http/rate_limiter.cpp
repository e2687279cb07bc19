#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace kh::http {

RateLimiter::RateLimiter(double perSecond, double burst, size_t maxCallers)
    : perSecond_(perSecond), burst_(std::max(burst, 1.0)), maxCallers_(maxCallers) {}

int RateLimiter::admit(const std::string& caller, std::chrono::steady_clock::time_point now) {
    std::lock_guard<std::mutex> l(mutex_);
    auto it = buckets_.find(caller);
    if (it == buckets_.end()) {
        if (buckets_.size() >= maxCallers_) {
            buckets_.erase(byUse_.back());
            byUse_.pop_back();
        }
        byUse_.push_front(caller);
        it = buckets_.emplace(caller, Bucket{burst_, now, byUse_.begin()}).first;
    } else {
        byUse_.splice(byUse_.begin(), byUse_, it->second.age);
    }
    Bucket& b = it->second;
    double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * perSecond_);
    b.at = now;
    if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
    }
    return std::max(1, int(std::ceil((1 - b.tokens) / perSecond_)));
}

}  // namespace kh::http
