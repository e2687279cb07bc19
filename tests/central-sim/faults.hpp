// Faults the tests switch on through /sim/faults, applied to /v1 requests only: added latency, 503
// answers, dropped connections, malformed bodies, a full outage, and slower batch processing.
#pragma once
#include <mutex>

#include "prng.hpp"

namespace ksim {

struct FaultSettings {
    int latencyMs = 0;
    double errorRate = 0.0;      // share of requests answered 503
    double dropRate = 0.0;       // share closed without an answer
    double malformedRate = 0.0;  // share answered 200 with a truncated document
    bool outage = false;         // every request closed without an answer
    int slowBatchMs = 0;         // added to the batch delay (read when a batch is polled)
};

enum class FaultAction { None, Drop, Error, Malformed };

class Faults {
public:
    explicit Faults(std::uint64_t seed) : rng_(seed ^ 0x6661756C7473ULL) {}

    FaultSettings settings() const;
    void set(const FaultSettings& settings);
    void reset() { set(FaultSettings{}); }
    // The fault (if any) for one request; outage first, then drop, error, malformed.
    FaultAction decide();

private:
    mutable std::mutex mutex_;
    FaultSettings settings_;
    SplitMix64 rng_;
};

}  // namespace ksim
