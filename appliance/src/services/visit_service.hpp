// Planned visits (online consultation, online medication guidance, home visit): registered by receipt
// computers, each checked against the patient's consent window, and turned into the day's batch so the
// answers are ready before reception — submitted the evening before (prefetch) and refreshed on the
// morning of the day, delivered into the cache and as a result file, with no call from the receipt computer.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "base/background_loop.hpp"
#include "services/batch_service.hpp"
#include "services/eligibility_service.hpp"
#include "services/home_consent_service.hpp"
#include "store/visits.hpp"

namespace kh::services {

struct VisitPolicy {
    std::string prefetchAt = "18:00";  // HH:MM Japan time: tomorrow's batch goes out
    std::string morningAt = "07:00";   // HH:MM Japan time: today's answers are refreshed
    std::string resultFolder;          // where the day's result file is written (the file channel's res/)
    int tickMillis = 1000;
};

struct VisitRequest {
    model::EligibilityInquiry inquiry;  // arbitraryIdentifier: the clinic's own patient id
    std::string visitDate;              // YYYYMMDD
    std::string kind;                   // online-consultation | online-medication-guidance | home-visit
};

struct VisitView {
    int64_t id = 0;
    VisitRequest visit;
    std::string consent;  // in-window | no-consent | after-consent-window
    std::optional<Answer> eligibility;
};

class VisitService {
public:
    VisitService(VisitPolicy policy, const store::DataKey& key, store::Visits& visits, HomeConsentService& consents,
                 BatchService& batches, EligibilityService& eligibility);
    void start();
    void stop();
    // All or nothing: throws KakehashiError (InvalidField naming the entry and field, DuplicateVisit).
    std::vector<VisitView> registerVisits(const std::vector<VisitRequest>& requests);
    std::vector<VisitView> onDate(const std::string& visitDate);
    std::string prepareDay(const std::string& visitDate, const std::string& purpose);  // reception, "" if no visits
    void tick();  // the scheduler and the delivery of finished batches

private:
    VisitView view(int64_t id, const VisitRequest& v);
    void deliver(const store::VisitBatch& b);

    VisitPolicy policy_;
    const store::DataKey& key_;
    store::Visits& visits_;
    HomeConsentService& consents_;
    BatchService& batches_;
    EligibilityService& eligibility_;
    base::BackgroundLoop loop_;
};

}  // namespace kh::services
