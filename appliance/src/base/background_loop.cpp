#include "base/background_loop.hpp"

namespace kh::base {

void BackgroundLoop::start(std::chrono::milliseconds interval, std::function<void()> pass) {
    thread_ = std::thread([this, interval, pass = std::move(pass)] {
        std::unique_lock<std::mutex> l(mutex_);
        while (!stopping_) {
            l.unlock();
            pass();
            l.lock();
            wake_.wait_for(l, interval, [&] { return stopping_ || poked_; });
            poked_ = false;
        }
    });
}

void BackgroundLoop::poke() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        poked_ = true;
    }
    wake_.notify_all();
}

void BackgroundLoop::stop() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool BackgroundLoop::sleepUnlessStopped(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> l(mutex_);
    wake_.wait_for(l, d, [&] { return stopping_; });
    return !stopping_;
}

bool BackgroundLoop::stopping() {
    std::lock_guard<std::mutex> l(mutex_);
    return stopping_;
}

}  // namespace kh::base
