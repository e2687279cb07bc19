#include "base/signal.hpp"

#include <vector>

namespace kh::base {

Signal::Subscription Signal::subscribe(std::function<void()> onChange) {
    std::lock_guard<std::mutex> l(mutex_);
    Subscription s = next_++;
    subscribers_.emplace(s, std::move(onChange));
    return s;
}

void Signal::unsubscribe(Subscription s) {
    std::lock_guard<std::mutex> l(mutex_);
    subscribers_.erase(s);
}

// Callbacks run outside the lock, so one may unsubscribe (itself or another) while it runs.
void Signal::notify() {
    std::vector<std::function<void()>> callbacks;
    {
        std::lock_guard<std::mutex> l(mutex_);
        callbacks.reserve(subscribers_.size());
        for (const auto& [s, f] : subscribers_) callbacks.push_back(f);
    }
    for (const auto& f : callbacks) f();
}

}  // namespace kh::base
