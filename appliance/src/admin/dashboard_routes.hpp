// The dashboard: the upstream link, the queue, cache use, today's requests and errors, certificate
// expiry (warned at 60, 30 and 7 days), card readers, and planned visits whose consent ends before
// the visit — numbers only, no patient data. The page asks again every few seconds.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "upstream/link_health.hpp"

namespace kh::admin {

struct CertificateFact {
    std::string name;  // upstream-client | central-ca | lan-api | admin
    std::string file;
};

// What the gateway knows, read when the dashboard is asked.
struct DashboardFacts {
    std::string upstreamProfile;  // central-v1 | terminal: which link the state is of
    std::function<upstream::LinkReport()> link;
    std::function<int64_t()> queueDepth;
    std::function<int64_t()> cacheHits, liveAnswers, staleAnswers;
    std::function<int64_t(int64_t since)> requestsSince, errorsSince;  // journal entries, unix seconds
    std::function<int64_t()> visitsFlagged;  // the coming week's visits outside their consent window
    std::function<std::vector<std::string>()> setupPending;  // what the box still needs to reach the central system
    std::function<bool()> cardServiceUp;
    std::function<int64_t()> cardReaders;
    std::function<std::vector<CertificateFact>()> certificates;  // the files in use now
};

std::vector<AdminRoute> dashboardRoutes(DashboardFacts facts);

// 60, 30 or 7: the nearest warning threshold the certificate is within; 0 when none; -1 when expired.
int expiryWarning(int64_t notAfter, int64_t now);

}  // namespace kh::admin
