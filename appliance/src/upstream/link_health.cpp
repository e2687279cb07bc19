#include "upstream/link_health.hpp"

#include "store/store.hpp"

namespace kh::upstream {

const char* linkStateName(LinkReport::State s) {
    switch (s) {
    case LinkReport::State::Up: return "up";
    case LinkReport::State::Down: return "down";
    case LinkReport::State::Unknown: break;
    }
    return "unknown";
}

uint64_t LinkHealth::epoch() const {
    std::lock_guard<std::mutex> l(mutex_);
    return epoch_;
}

void LinkHealth::succeeded(uint64_t epoch) {
    std::lock_guard<std::mutex> l(mutex_);
    if (epoch != epoch_) return;  // under way since before the change: says nothing of the link as it is now
    report_.state = LinkReport::State::Up;
    report_.lastSuccessAt = lastLearntAt_ = store::nowSeconds();
    report_.verifiedSinceChange = true;
}

void LinkHealth::failed(uint64_t epoch, const std::string& reason) {
    std::lock_guard<std::mutex> l(mutex_);
    if (epoch != epoch_) return;
    report_.state = LinkReport::State::Down;
    report_.lastFailureAt = lastLearntAt_ = store::nowSeconds();
    report_.lastFailure = reason;
}

void LinkHealth::changed() {
    std::function<void()> wake;
    {
        std::lock_guard<std::mutex> l(mutex_);
        ++epoch_;
        report_.state = LinkReport::State::Unknown;
        report_.verifiedSinceChange = false;
        report_.changedAt = store::nowSeconds();
        lastLearntAt_ = 0;
        wake = wake_;
    }
    if (wake) wake();
}

LinkReport LinkHealth::report() const {
    std::lock_guard<std::mutex> l(mutex_);
    return report_;
}

int64_t LinkHealth::quietSeconds() const {
    std::lock_guard<std::mutex> l(mutex_);
    return lastLearntAt_ == 0 ? INT64_MAX : store::nowSeconds() - lastLearntAt_;
}

void LinkHealth::onProbeWanted(std::function<void()> wake) {
    std::lock_guard<std::mutex> l(mutex_);
    wake_ = std::move(wake);
}

}  // namespace kh::upstream
