// The bounded pool that runs handlers which may block (store writes, waiting for the central system), so
// the network threads never do. Each connection has at most one request in it, so the queue is bounded
// by the connection limits.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kh::http {

class WorkerPool {
public:
    explicit WorkerPool(size_t threads);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;
    void post(std::function<void()> job);
    // Lets the jobs already running finish, drops the ones not started, and joins the threads.
    void stop();

private:
    void run();
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace kh::http
