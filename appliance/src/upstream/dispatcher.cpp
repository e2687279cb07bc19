#include "upstream/dispatcher.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace kh::upstream {

Dispatcher::Dispatcher(store::OutboundQueue& queue, Outbox& outbox, CentralClient& client, CircuitBreaker& breaker,
                       BackoffSettings backoff)
    : queue_(queue), outbox_(outbox), client_(client), breaker_(breaker), backoff_(backoff) {}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() { worker_ = std::thread([this] { run(); }); }

void Dispatcher::stop() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    finished_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void Dispatcher::wake() {
    {
        std::lock_guard<std::mutex> l(mutex_);
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

void Dispatcher::run() {
    std::unique_lock<std::mutex> l(mutex_);
    while (!stopping_) {
        l.unlock();
        std::optional<store::OutboundItem> head;
        try {
            head = queue_.head();
        } catch (const std::exception& e) {
            log::error("upstream.queue_read_failed", {{"error", e.what()}});
        }
        int64_t now = steadyMillis();
        l.lock();
        if (!head) {
            wake_.wait_for(l, std::chrono::seconds(1), [&] { return stopping_ || poked_; });
            poked_ = false;
            continue;
        }
        if (head->id != headId_) {
            headId_ = head->id;
            headNotBefore_ = 0;
        }
        int64_t waitMs = headNotBefore_ - now;
        if (waitMs <= 0 && !breaker_.allowRequest(now)) waitMs = 200;
        if (waitMs > 0) {
            wake_.wait_for(l, std::chrono::milliseconds(std::min<int64_t>(waitMs, 1000)), [&] { return stopping_; });
            continue;
        }
        l.unlock();
        sendHead(*head);
        finishedSignal_.notify();
        l.lock();
        finished_.notify_all();
    }
}

void Dispatcher::sendHead(const store::OutboundItem& item) {
    ++stats_.sent;
    auto attempt = outbox_.deliver(item, client_);
    if (attempt.kind == Outbox::Attempt::Kind::Retry) {
        retryLater(item, attempt.error, attempt.retryAfterSeconds);
        return;
    }
    breaker_.recordSuccess();
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
    int64_t delay = std::max<int64_t>(backoffMillis(backoff_, item.attempts + 1, rng_), int64_t(retryAfterSeconds) * 1000);
    {
        std::lock_guard<std::mutex> l(mutex_);
        headNotBefore_ = now + delay;
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
