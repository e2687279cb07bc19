// Planned visits registered by receipt computers, and the batches made from a day's visits.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct Visit {
    int64_t id = 0;
    std::string identityIndex, visitDate, kind, inquiry;  // inquiry: serialised, opened
};

struct VisitBatch {
    std::string visitDate, purpose, receptionNumber;
    int64_t submittedAt = 0, deliveredAt = 0;
};

class Visits {
public:
    explicit Visits(Store& store) : store_(store) {}
    struct NewVisit {
        std::string identityIndex, visitDate, kind, inquiry;
    };
    // All in one transaction, so a day's batch never sees half a registration; nullopt (nothing stored)
    // when one of them is already registered.
    std::optional<std::vector<int64_t>> addAll(const std::vector<NewVisit>& visits);
    bool exists(const std::string& identityIndex, const std::string& visitDate, const std::string& kind);
    std::vector<Visit> onDate(const std::string& visitDate);
    std::optional<VisitBatch> batch(const std::string& visitDate, const std::string& purpose);
    void batchSubmitted(const VisitBatch& b);
    void batchDelivered(const std::string& visitDate, const std::string& purpose, int64_t at);
    std::vector<VisitBatch> undelivered();

private:
    Store& store_;
};

}  // namespace kh::store
