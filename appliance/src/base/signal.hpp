// "Something changed": a state that others wait on without holding a thread (a long poll on card readers,
// on a card check, on the outbound queue). Whoever changes the state calls notify(); each subscriber's
// callback then runs on the notifying thread, so it must only hand the news on (post it), never block.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace kh::base {

class Signal {
public:
    using Subscription = uint64_t;
    Subscription subscribe(std::function<void()> onChange);
    void unsubscribe(Subscription s);
    void notify();

private:
    std::mutex mutex_;
    Subscription next_ = 1;
    std::map<Subscription, std::function<void()>> subscribers_;
};

}  // namespace kh::base
