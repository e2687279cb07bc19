// Sends the outbound queue to the central system, strictly in order: the head item is retried (with
// backoff and the circuit breaker) before anything behind it goes, so a recovering link drains the queue
// in the order requests arrived. Waiters are woken when their item is finished.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "base/signal.hpp"
#include "store/outbound_queue.hpp"
#include "upstream/central_client.hpp"
#include "upstream/outbox.hpp"
#include "upstream/retry_policy.hpp"

namespace kh::upstream {

struct DispatcherStats {
    std::atomic<int64_t> sent{0}, failedAttempts{0}, completed{0}, refused{0};
};

class Dispatcher {
public:
    Dispatcher(store::OutboundQueue& queue, Outbox& outbox, CentralClient& client, CircuitBreaker& breaker, BackoffSettings backoff);
    ~Dispatcher();
    void start();
    void stop();
    void wake();  // an item was queued
    // Blocks until the item is done or failed, or the timeout passes (then nullopt).
    std::optional<store::OutboundItem> waitFor(int64_t id, std::chrono::milliseconds timeout);
    // Fires whenever an item is finished (answered, refused or given up): what long polls wait on.
    base::Signal& finished() { return finishedSignal_; }
    const DispatcherStats& stats() const { return stats_; }

private:
    void run();
    void sendHead(const store::OutboundItem& item);
    void retryLater(const store::OutboundItem& item, const std::string& why, int retryAfterSeconds);

    store::OutboundQueue& queue_;
    Outbox& outbox_;
    CentralClient& client_;
    CircuitBreaker& breaker_;
    BackoffSettings backoff_;
    std::mt19937_64 rng_{std::random_device{}()};
    std::mutex mutex_;
    std::condition_variable wake_, finished_;
    bool stopping_ = false;
    bool poked_ = false;
    int64_t headNotBefore_ = 0;  // steady ms; backoff for the current head
    int64_t headId_ = 0;
    DispatcherStats stats_;
    base::Signal finishedSignal_;
    std::thread worker_;
};

}  // namespace kh::upstream
