// How long the store keeps what it holds. Patient data goes first: message payloads (journal, files
// taken, the outbound queue, dead letters), finished batches, consents whose window ended, and visits
// past are dropped after `patientDataDays`; eligibility answers kept for outages after `cacheDays`. The
// records without patient data — that a message came and went, when, and how it ended — stay for
// `recordDays`, so the dashboard and an investigation still see them. Rows still being worked on
// (accepted, waiting, pending, processing) are never touched. The audit log has its own rule
// (audit_log.hpp). Space is given back to the file system (SQLite incremental vacuum).
#pragma once
#include <cstdint>

#include "store/eligibility_cache.hpp"
#include "store/store.hpp"

namespace kh::store {

struct RetentionPolicy {
    int patientDataDays = 7;
    int cacheDays = 31;   // a month of answers: reception keeps working through an outage
    int recordDays = 90;
};

struct RetentionReport {
    int64_t payloadsDropped = 0;  // journal, inbound, outbound and dead-letter payloads emptied
    int64_t rowsDeleted = 0;      // records past recordDays, whole batches, consents, visits
    int64_t cacheDeleted = 0;
};

class Retention {
public:
    Retention(Store& store, EligibilityCache& cache, RetentionPolicy policy) : store_(store), cache_(cache), policy_(policy) {}
    // One sweep as of `now` (unix seconds); safe to run at any time, while the gateway works.
    RetentionReport sweep(int64_t now);
    const RetentionPolicy& policy() const { return policy_; }

private:
    int64_t dropPayloads(int64_t before);
    int64_t deleteRecords(int64_t payloadsBefore, int64_t recordsBefore);

    Store& store_;
    EligibilityCache& cache_;
    RetentionPolicy policy_;
};

}  // namespace kh::store
