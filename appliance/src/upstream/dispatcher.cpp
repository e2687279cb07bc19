#include "upstream/dispatcher.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace kh::upstream {

// One started call's turn: handed over at most once, by the profile or (at the latest) when the call returns.
class Dispatcher::Turn : public SendTurn {
public:
    explicit Turn(Dispatcher& d) : d_(d) {}
    void handedOver() override {
        if (!handed_.exchange(true)) d_.handOver();
    }
    bool handed() const { return handed_; }

private:
    Dispatcher& d_;
    std::atomic<bool> handed_{false};
};

Dispatcher::Dispatcher(store::OutboundQueue& queue, Outbox& outbox, CentralClient& client, CircuitBreaker& breaker,
                       BackoffSettings backoff, int concurrency)
    : queue_(queue), outbox_(outbox), client_(client), breaker_(breaker), backoff_(backoff),
      concurrency_(std::max(1, concurrency)) {}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        stopping_ = false;
    }
    for (int i = 0; i < concurrency_; ++i) workers_.emplace_back([this] { work(); });
    scheduler_ = std::thread([this] { schedule(); });
}

void Dispatcher::stop() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    work_.notify_all();
    finished_.notify_all();
    if (scheduler_.joinable()) scheduler_.join();
    for (auto& w : workers_)
        if (w.joinable()) w.join();
    workers_.clear();
    std::lock_guard<std::mutex> l(mutex_);
    jobs_.clear();  // started but never sent: still pending in the store, sent after the next start
    inFlight_.clear();
    turnHeld_ = false;
}

void Dispatcher::wake() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        poked_ = true;
    }
    wake_.notify_all();
}

void Dispatcher::handOver() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        turnHeld_ = false;
        poked_ = true;
    }
    wake_.notify_all();
}

std::optional<store::OutboundItem> Dispatcher::waitFor(int64_t id, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock<std::mutex> l(mutex_);
    for (;;) {
        l.unlock();
        auto item = queue_.get(id);
        l.lock();
        if (!item) return std::nullopt;
        if (item->state != "pending") return item;
        if (stopping_ || finished_.wait_until(l, deadline) == std::cv_status::timeout) {
            l.unlock();
            item = queue_.get(id);
            return item && item->state != "pending" ? item : std::nullopt;
        }
    }
}

// Walks the oldest pending items in id order and starts the first one that is neither under way nor waiting
// for its retry — unless a started call still holds the turn, the limit is reached, or an older item waits
// for its retry (it holds everything behind it back). One start per pass; the next pass follows at once.
void Dispatcher::schedule() {
    std::unique_lock<std::mutex> l(mutex_);
    while (!stopping_) {
        uint64_t seen = completions_;
        size_t limit = size_t(concurrency_) * 2 + 1;  // enough to look past every call under way
        l.unlock();
        std::vector<int64_t> ids;
        try {
            ids = queue_.pendingIds(limit);
        } catch (const std::exception& e) {
            log::error("upstream.queue_read_failed", {{"error", e.what()}});
        }
        int64_t now = steadyMillis();
        l.lock();
        if (stopping_) break;
        if (completions_ != seen) continue;  // a call finished meanwhile: what was read may list it as pending
        // While the link is believed down, one call at a time: the oldest is the probe.
        size_t allowed = breaker_.linkUp() ? size_t(concurrency_) : 1;
        int64_t waitMs = 1000;
        bool started = false;
        for (int64_t id : ids) {
            if (inFlight_.count(id)) continue;
            if (turnHeld_ || inFlight_.size() >= allowed) break;  // woken by a hand-over or a finished call
            auto due = notBefore_.find(id);
            if (due != notBefore_.end() && due->second > now) {
                waitMs = std::min<int64_t>(due->second - now, 1000);
                break;
            }
            if (!breaker_.allowRequest(now)) {
                waitMs = 200;
                break;
            }
            inFlight_.insert(id);
            jobs_.push_back(id);
            turnHeld_ = true;
            started = true;
            int64_t n = int64_t(inFlight_.size());
            stats_.inFlight = n;
            if (n > stats_.maxInFlight) stats_.maxInFlight = n;
            work_.notify_one();
            break;
        }
        if (started) continue;
        wake_.wait_for(l, std::chrono::milliseconds(waitMs), [&] { return stopping_ || poked_; });
        poked_ = false;
    }
}

void Dispatcher::work() {
    std::unique_lock<std::mutex> l(mutex_);
    for (;;) {
        work_.wait(l, [&] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        int64_t id = jobs_.front();
        jobs_.pop_front();
        l.unlock();
        Turn turn(*this);
        try {
            // Read again: the scheduler's list may be older than the item's last answer.
            auto item = queue_.get(id);
            if (item && item->state == "pending") send(*item, turn);
        } catch (const std::exception& e) {
            log::error("upstream.send_failed", {{"error", e.what()}});
        }
        l.lock();
        inFlight_.erase(id);
        stats_.inFlight = int64_t(inFlight_.size());
        if (!turn.handed()) turnHeld_ = false;  // it was the last one started: nothing started behind it
        ++completions_;
        poked_ = true;
        wake_.notify_all();
        finished_.notify_all();
        l.unlock();
        finishedSignal_.notify();
        l.lock();
    }
}

void Dispatcher::send(const store::OutboundItem& item, SendTurn& turn) {
    ++stats_.sent;
    auto attempt = outbox_.deliver(item, client_, &turn);
    if (attempt.kind == Outbox::Attempt::Kind::Retry) {
        retryLater(item, attempt.error, attempt.retryAfterSeconds);
        return;
    }
    breaker_.recordSuccess();
    {
        std::lock_guard<std::mutex> l(mutex_);
        notBefore_.erase(item.id);
    }
    try {
        if (attempt.kind == Outbox::Attempt::Kind::Answered) {
            queue_.complete(item.id, attempt.status, attempt.response);
            ++stats_.completed;
        } else {
            queue_.fail(item.id, attempt.status, attempt.error, attempt.response);
            ++stats_.refused;
        }
        log::info("upstream.sent", {{"request_id", item.requestId}, {"kind", item.kind},
                                    {"outcome", attempt.kind == Outbox::Attempt::Kind::Answered ? "answered" : "refused"}});
    } catch (const std::exception& e) {
        log::error("upstream.store_failed", {{"request_id", item.requestId}, {"error", e.what()}});
    }
}

void Dispatcher::retryLater(const store::OutboundItem& item, const std::string& why, int retryAfterSeconds) {
    int64_t now = steadyMillis();
    breaker_.recordFailure(now);
    ++stats_.failedAttempts;
    int64_t delay;
    {
        std::lock_guard<std::mutex> l(mutex_);
        delay = std::max<int64_t>(backoffMillis(backoff_, item.attempts + 1, rng_), int64_t(retryAfterSeconds) * 1000);
        notBefore_[item.id] = now + delay;
    }
    try {
        queue_.retryLater(item.id, store::nowSeconds() + delay / 1000, why);
    } catch (const std::exception& e) {
        log::error("upstream.store_failed", {{"request_id", item.requestId}, {"error", e.what()}});
    }
    log::warn("upstream.retry", {{"request_id", item.requestId}, {"attempt", std::to_string(item.attempts + 1)},
                                 {"delay_ms", std::to_string(delay)}, {"error", why}});
}

}  // namespace kh::upstream
