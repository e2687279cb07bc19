#include "cardreader/card_worker.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "cardreader/card_error.hpp"

namespace kh::cardreader {

struct CardWorker::State {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::packaged_task<void()>> jobs;
    bool stopping = false, busy = false;
};

namespace {

// The worker's loop holds the state by shared_ptr, so a thread left behind by ~CardWorker stays valid.
void workerLoop(std::shared_ptr<CardWorker::State> s) {
    std::unique_lock<std::mutex> lock(s->mutex);
    for (;;) {
        s->wake.wait(lock, [&] { return s->stopping || !s->jobs.empty(); });
        if (s->jobs.empty()) return;
        auto job = std::move(s->jobs.front());
        s->jobs.pop_front();
        s->busy = true;
        lock.unlock();
        job();  // exceptions land in the job's future
        lock.lock();
        s->busy = false;
    }
}

}  // namespace

CardWorker::CardWorker() : state_(std::make_shared<State>()) {
    std::thread(workerLoop, state_).detach();
}

CardWorker::~CardWorker() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
    state_->jobs.clear();
    state_->wake.notify_all();
}

void CardWorker::run(std::function<void()> job, std::chrono::milliseconds deadline) {
    // A job still queued when its caller gave up never starts: a PIN must not reach the card after the
    // staff page was told the attempt failed.
    auto abandoned = std::make_shared<std::atomic<bool>>(false);
    std::packaged_task<void()> task([job = std::move(job), abandoned] {
        if (!abandoned->load()) job();
    });
    std::future<void> done = task.get_future();
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->jobs.push_back(std::move(task));
    }
    state_->wake.notify_one();
    if (done.wait_for(deadline) != std::future_status::ready) {
        abandoned->store(true);
        throw CardException(CardFailure::Timeout, "the card did not answer within " + std::to_string(deadline.count()) + " ms");
    }
    done.get();
}

}  // namespace kh::cardreader
