#include "admin/fleet_metrics.hpp"

#include <cstdlib>
#include <memory>

#include "base/files.hpp"
#include "crypto/x509.hpp"
#include "services/firmware_updates.hpp"

namespace kh::admin {
namespace {
using endpoint::MetricSample;

std::string firmwareVersion(const FleetFacts& f) {
    if (auto text = base::tryReadFile(f.releaseFile, 64 * 1024)) {
        auto fields = services::parseFirmwareFields(*text);
        if (auto it = fields.find("KAKEHASHI_VERSION"); it != fields.end() && !it->second.empty()) return it->second;
    }
    return f.gatewayVersion;  // a package install: the binary is the firmware
}

std::vector<MetricSample> one(double value) { return {{{}, value}}; }
}  // namespace

double versionNumber(const std::string& version) {
    double parts[3] = {0, 0, 0};
    const char* p = version.c_str();
    for (int i = 0; i < 3; ++i) {
        if (*p < '0' || *p > '9') {
            if (i == 0) return -1;
            break;
        }
        char* end = nullptr;
        long n = std::strtol(p, &end, 10);
        if (n > 999) return -1;
        parts[i] = double(n);
        p = end;
        if (*p != '.') break;
        ++p;
    }
    return parts[0] * 1e6 + parts[1] * 1e3 + parts[2];
}

void addFleetMetrics(endpoint::Metrics& metrics, FleetFacts facts) {
    auto f = std::make_shared<FleetFacts>(std::move(facts));
    metrics.addFamily("kakehashi_firmware_info", "The firmware (image release) and gateway versions this box runs.",
                      "gauge", [f] {
                          return std::vector<MetricSample>{{{{"version", firmwareVersion(*f)}, {"gateway", f->gatewayVersion}}, 1}};
                      });
    metrics.addFamily("kakehashi_firmware_version_number", "The firmware version as major*1e6 + minor*1e3 + patch.",
                      "gauge", [f] { return one(versionNumber(firmwareVersion(*f))); });
    metrics.addFamily("kakehashi_certificate_expiry_timestamp_seconds",
                      "When each certificate in use expires (unix seconds).", "gauge", [f] {
                          std::vector<MetricSample> out;
                          for (const auto& c : f->certificates ? f->certificates() : std::vector<CertificateFact>{}) {
                              auto pem = base::tryReadFile(c.file, 1024 * 1024);
                              auto info = pem ? crypto::readCertificatePem(*pem) : std::nullopt;
                              if (info) out.push_back({{{"certificate", c.name}}, double(info->notAfter)});
                          }
                          return out;
                      });
    if (!f->pair) return;
    // A box not in a pair has none of these, so the pair alerts never see it.
    auto pairGauge = [&metrics, f](const char* name, const char* help, std::function<double(const PairState&)> read) {
        metrics.addFamily(name, help, "gauge", [f, read] {
            auto s = f->pair->state();
            return s.inPair ? one(read(s)) : std::vector<MetricSample>{};
        });
    };
    pairGauge("kakehashi_ha_active", "1 on the node that runs the services (the gateway answers only there).",
              [](const PairState& s) { return double(!s.thisNode.empty() && s.cluster.activeNode == s.thisNode); });
    pairGauge("kakehashi_ha_nodes_online", "Cluster nodes online.", [](const PairState& s) {
        double n = 0;
        for (const auto& node : s.cluster.nodes) n += node.online && !node.unclean;
        return n;
    });
    pairGauge("kakehashi_ha_quorum", "1 while the cluster has quorum.", [](const PairState& s) { return double(s.cluster.quorum); });
    pairGauge("kakehashi_ha_standby_ready",
              "1 while the other node could take over: online, not in standby, its DRBD disk up to date.",
              [](const PairState& s) { return double(s.standbyReady()); });
    pairGauge("kakehashi_drbd_connected", "1 while DRBD's replication link is connected.",
              [](const PairState& s) { return double(s.drbd.connected()); });
    pairGauge("kakehashi_drbd_in_sync", "1 while both DRBD disks are up to date.",
              [](const PairState& s) { return double(s.drbd.inSync()); });
    pairGauge("kakehashi_ha_status_age_seconds", "How old the cluster status written by the root helper is.",
              [f](const PairState& s) { return double(f->now() - s.updatedAt); });
    metrics.addFamily("kakehashi_ha_last_takeover_timestamp_seconds",
                      "When the services last moved to another node (unix seconds), and why.", "gauge", [f] {
                          auto s = f->pair->state();
                          if (!s.inPair || !s.lastTakeover) return std::vector<MetricSample>{};
                          const auto& t = *s.lastTakeover;
                          return std::vector<MetricSample>{
                              {{{"from", t.from}, {"to", t.to}, {"reason", t.reason}}, double(t.at)}};
                      });
}

}  // namespace kh::admin
