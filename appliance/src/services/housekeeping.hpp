// Keeps the box from filling up, patient data first: every hour (and soon after the start) the store's
// retention sweep (store/retention.hpp), the decoded answers in memory that went with it, and the
// share's folders — results nobody collected in res/ and vendor out/ folders, rejected requests in
// quarantine/, and temporaries a crash left behind.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/background_loop.hpp"
#include <functional>
#include "store/retention.hpp"

namespace kh::services {

struct FolderRetention {
    int resultFileDays = 7;    // answers a receipt computer never collected
    int quarantineDays = 14;   // rejected requests kept for staff
};

struct HousekeepingReport {
    store::RetentionReport store;
    size_t filesRemoved = 0;
};

class Housekeeping {
public:
    // `shareRoots`: the file channel's root and the vendor folders' root (often the same).
    // `forgetAnswers(cutoff)`: answers confirmed before cutoff leave memory too (EligibilityService).
    Housekeeping(store::Retention& retention, std::function<void(int64_t cutoff)> forgetAnswers, FolderRetention folders,
                 std::vector<std::string> shareRoots, std::chrono::seconds interval = std::chrono::hours(1));
    void start();
    void stop();
    HousekeepingReport sweepOnce(int64_t now);
    // Every temporary in the share's folders, whatever its age. Only for the start of `serve`, before
    // anything of this process writes there: then a temporary can only be a write a killed process never
    // finished (its answer is written again from the store).
    size_t removeLeftoverTemporaries();

private:
    size_t sweepShare(const std::string& root, int64_t now);

    store::Retention& retention_;
    std::function<void(int64_t)> forgetAnswers_;
    FolderRetention folders_;
    std::vector<std::string> shareRoots_;
    std::chrono::seconds interval_;
    base::BackgroundLoop loop_;
};

}  // namespace kh::services
