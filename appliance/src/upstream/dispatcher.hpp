// Sends the outbound queue to the central system (or the terminal) in queue order. Up to `concurrency`
// queued calls are under way at once; they start strictly in id order, each only once the one before it has
// been handed over to the other side (SendTurn), so the other side receives them in the order requests
// arrived. A call waiting for its retry (backoff, circuit breaker) holds back everything behind it, and while
// the link is believed down only one call goes at a time: the oldest, as the probe. With concurrency 1
// (central-v1's default) this is the strict head-of-line order: nothing behind the head goes before the head
// is answered or refused. Waiters are woken when their item is finished.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "base/signal.hpp"
#include "store/outbound_queue.hpp"
#include "upstream/central_client.hpp"
#include "upstream/outbox.hpp"
#include "upstream/retry_policy.hpp"

namespace kh::upstream {

struct DispatcherStats {
    std::atomic<int64_t> sent{0}, failedAttempts{0}, completed{0}, refused{0};
    std::atomic<int64_t> inFlight{0}, maxInFlight{0};  // queued calls under way now, and the most at once
};

class Dispatcher {
public:
    Dispatcher(store::OutboundQueue& queue, Outbox& outbox, CentralClient& client, CircuitBreaker& breaker, BackoffSettings backoff,
               int concurrency = 1);
    ~Dispatcher();
    void start();
    void stop();  // calls under way finish first (a profile's stop() cuts their waits short)
    void wake();  // an item was queued
    // Blocks until the item is done or failed, or the timeout passes (then nullopt).
    std::optional<store::OutboundItem> waitFor(int64_t id, std::chrono::milliseconds timeout);
    // Fires whenever an item is finished (answered, refused or given up): what long polls wait on.
    base::Signal& finished() { return finishedSignal_; }
    const DispatcherStats& stats() const { return stats_; }
    int concurrency() const { return concurrency_; }

private:
    class Turn;
    void schedule();  // the one thread that decides what starts next
    void work();      // a worker: sends what the scheduler started
    void handOver();
    void send(const store::OutboundItem& item, SendTurn& turn);
    void retryLater(const store::OutboundItem& item, const std::string& why, int retryAfterSeconds);

    store::OutboundQueue& queue_;
    Outbox& outbox_;
    CentralClient& client_;
    CircuitBreaker& breaker_;
    BackoffSettings backoff_;
    const int concurrency_;
    std::mt19937_64 rng_{std::random_device{}()};  // guarded by mutex_
    std::mutex mutex_;
    std::condition_variable wake_, work_, finished_;
    bool stopping_ = false;
    bool poked_ = false;
    bool turnHeld_ = false;             // a started call has not been handed over yet: nothing else starts
    uint64_t completions_ = 0;          // grows as calls finish: a scheduler's read of the queue is then stale
    std::set<int64_t> inFlight_;        // started and not finished
    std::deque<int64_t> jobs_;          // started, not yet taken by a worker
    std::map<int64_t, int64_t> notBefore_;  // steady ms: items waiting for their retry
    DispatcherStats stats_;
    base::Signal finishedSignal_;
    std::thread scheduler_;
    std::vector<std::thread> workers_;
};

}  // namespace kh::upstream
