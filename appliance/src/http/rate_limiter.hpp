// Token buckets per caller: `perSecond` requests a second on average, bursts of `burst`. Bounded: when it
// holds too many callers it forgets the ones that have been quiet longest, so an attacker rotating
// addresses cannot grow it.
#pragma once
#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kh::http {

class RateLimiter {
public:
    RateLimiter(double perSecond, double burst, size_t maxCallers = 10000);
    // 0 when the call may go now (a token is taken), else the seconds to wait (for Retry-After).
    int admit(const std::string& caller, std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

private:
    struct Bucket {
        double tokens;
        std::chrono::steady_clock::time_point at;
        std::list<std::string>::iterator age;
    };
    double perSecond_, burst_;
    size_t maxCallers_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
    std::list<std::string> byUse_;  // most recently used first
};

}  // namespace kh::http
