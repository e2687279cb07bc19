#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "admin/fleet_metrics.hpp"
#include "base/files.hpp"
#include "crypto/x509.hpp"
#include "../temp_dir.hpp"

using namespace kh::admin;

namespace {
bool has(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }
}  // namespace

TEST_CASE("firmware versions compare as numbers", "[admin][metrics]") {
    CHECK(versionNumber("1.2.3") == 1002003);
    CHECK(versionNumber("1.12.0") > versionNumber("1.9.7"));
    CHECK(versionNumber("2.0") == 2000000);
    CHECK(versionNumber("1.4.0~rc1") == 1004000);
    CHECK(versionNumber("") == -1);
    CHECK(versionNumber("dev") == -1);
    CHECK(versionNumber("1.1000.0") == -1);
}

TEST_CASE("/metrics: the firmware, the certificates' expiry, the pair", "[admin][metrics]") {
    kh::test::TempDir dir;
    const std::string release = dir.path + "/kakehashi-release", status = dir.path + "/pair";
    auto made = kh::crypto::makeSelfSigned("kakehashi", {"kakehashi"}, {}, 30);
    kh::base::writeFileDurably(dir.path + "/lan.crt", made.certificatePem);
    auto notAfter = kh::crypto::readCertificatePem(made.certificatePem)->notAfter;

    PairStatus pair({status, dir.path + "/requests", "", ""});
    kh::endpoint::Metrics metrics;
    addFleetMetrics(metrics, {"1.3.0", release,
                              [&] {
                                  return std::vector<CertificateFact>{{"lan-api", dir.path + "/lan.crt"},
                                                                      {"upstream-client", dir.path + "/missing.crt"}};
                              },
                              &pair, [] { return int64_t(1796000060); }});

    // A package install: no release file, the gateway's version is the firmware's.
    std::string text = metrics.render();
    CHECK(has(text, "kakehashi_firmware_info{version=\"1.3.0\",gateway=\"1.3.0\"} 1\n"));
    CHECK(has(text, "kakehashi_firmware_version_number 1003000\n"));
    CHECK(has(text, "kakehashi_certificate_expiry_timestamp_seconds{certificate=\"lan-api\"} " + std::to_string(notAfter) + "\n"));
    CHECK_FALSE(has(text, "upstream-client"));  // a certificate not there yet has no expiry
    CHECK_FALSE(has(text, "kakehashi_ha_"));     // not in a pair: no pair series at all
    CHECK_FALSE(has(text, "kakehashi_drbd_"));

    kh::base::writeFileDurably(release, "KAKEHASHI_VERSION=1.4.1\nKAKEHASHI_BUILT=2026-12-01\n", 0644);
    ::mkdir(status.c_str(), 0755);
    kh::base::writeFileDurably(status + "/crm_mon.xml",
                               kh::base::readFile(std::string(KAKEHASHI_FIXTURES) + "/pair/crm_mon.xml"), 0644);
    kh::base::writeFileDurably(status + "/node", "node=kh-a\n", 0644);
    kh::base::writeFileDurably(status + "/drbd-status",
                               "kakehashi-data role:Primary\n  disk:UpToDate\n  peer connection:Connecting\n", 0644);
    kh::base::writeFileDurably(status + "/takeover", "at=1796000000\nfrom=kh-b\nto=kh-a\n", 0644);
    text = metrics.render();
    CHECK(has(text, "kakehashi_firmware_info{version=\"1.4.1\",gateway=\"1.3.0\"} 1\n"));
    CHECK(has(text, "kakehashi_firmware_version_number 1004001\n"));
    CHECK(has(text, "kakehashi_ha_active 1\n"));
    CHECK(has(text, "kakehashi_ha_nodes_online 2\n"));
    CHECK(has(text, "kakehashi_ha_quorum 1\n"));
    CHECK(has(text, "kakehashi_drbd_connected 0\n"));
    CHECK(has(text, "kakehashi_drbd_in_sync 0\n"));
    CHECK(has(text, "kakehashi_ha_standby_ready 0\n"));
    CHECK(has(text, "kakehashi_ha_last_takeover_timestamp_seconds{from=\"kh-b\",to=\"kh-a\",reason=\"unknown\"} 1796000000\n"));
    CHECK(has(text, "# TYPE kakehashi_ha_status_age_seconds gauge\n"));

    kh::base::writeFileDurably(status + "/drbd-status",
                               "kakehashi-data role:Primary\n  disk:UpToDate\n  peer role:Secondary\n"
                               "    replication:Established peer-disk:UpToDate\n", 0644);
    text = metrics.render();
    CHECK(has(text, "kakehashi_drbd_connected 1\n"));
    CHECK(has(text, "kakehashi_ha_standby_ready 1\n"));
}
