#include "http/body_pipe.hpp"

namespace kh::http {

BodyPipe::BodyPipe(std::function<void()> wantMore, size_t maxParts)
    : wantMore_(std::move(wantMore)), maxParts_(maxParts), stream_(this) {}

bool BodyPipe::push(std::string part) {
    std::lock_guard<std::mutex> l(mutex_);
    if (!part.empty()) parts_.push_back(std::move(part));
    ready_.notify_one();
    paused_ = parts_.size() >= maxParts_;
    return !paused_;
}

void BodyPipe::finish() {
    std::lock_guard<std::mutex> l(mutex_);
    finished_ = true;
    ready_.notify_one();
}

void BodyPipe::fail() {
    std::lock_guard<std::mutex> l(mutex_);
    failed_ = true;
    ready_.notify_one();
}

bool BodyPipe::complete() const {
    std::lock_guard<std::mutex> l(mutex_);
    return finished_ && !failed_ && parts_.empty() && gptr() == egptr();
}

BodyPipe::int_type BodyPipe::underflow() {
    bool resume = false;
    {
        std::unique_lock<std::mutex> l(mutex_);
        ready_.wait(l, [this] { return !parts_.empty() || finished_ || failed_; });
        if (parts_.empty()) return traits_type::eof();
        current_ = std::move(parts_.front());
        parts_.pop_front();
        resume = paused_;
        paused_ = false;
    }
    if (resume) wantMore_();
    setg(current_.data(), current_.data(), current_.data() + current_.size());
    return traits_type::to_int_type(current_[0]);
}

}  // namespace kh::http
