#include "faults.hpp"

namespace ksim {

FaultSettings Faults::settings() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return settings_;
}

void Faults::set(const FaultSettings& settings) {
    std::lock_guard<std::mutex> lock(mutex_);
    settings_ = settings;
}

FaultAction Faults::decide() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (settings_.outage) return FaultAction::Drop;
    if (settings_.dropRate > 0 && rng_.chance(settings_.dropRate)) return FaultAction::Drop;
    if (settings_.errorRate > 0 && rng_.chance(settings_.errorRate)) return FaultAction::Error;
    if (settings_.malformedRate > 0 && rng_.chance(settings_.malformedRate)) return FaultAction::Malformed;
    return FaultAction::None;
}

}  // namespace ksim
