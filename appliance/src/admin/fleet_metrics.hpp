// The gauges a fleet's monitoring alerts on (firmware/monitoring/kakehashi-alerts.yml), beside the gateway's
// own counters at /metrics: which firmware the box runs, when each of its certificates expires, and the state
// of its HA pair. Each is read when /metrics is asked, from the same files the web admin shows.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "admin/dashboard_routes.hpp"
#include "admin/pair_status.hpp"
#include "endpoint/metrics.hpp"

namespace kh::admin {

struct FleetFacts {
    std::string gatewayVersion;  // the binary's (KAKEHASHI_VERSION)
    std::string releaseFile;     // /etc/kakehashi-release of the image; missing on a package install
    std::function<std::vector<CertificateFact>()> certificates;
    const PairStatus* pair = nullptr;
    std::function<int64_t()> now;  // unix seconds
};

// "1.12.3" → 1012003 (major × 10⁶ + minor × 10³ + patch, what follows the numbers ignored), so a rule can
// compare boxes with max(); -1 when the text does not start with a number.
double versionNumber(const std::string& version);

// kakehashi_firmware_info{version,gateway}, kakehashi_firmware_version_number,
// kakehashi_certificate_expiry_timestamp_seconds{certificate}, and for a box in a pair kakehashi_ha_*,
// kakehashi_drbd_*.
void addFleetMetrics(endpoint::Metrics& metrics, FleetFacts facts);

}  // namespace kh::admin
