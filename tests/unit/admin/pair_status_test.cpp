#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "admin/pair_status.hpp"
#include "base/files.hpp"
#include "../error_of.hpp"
#include "../temp_dir.hpp"

using namespace kh::admin;
using kh::model::ErrorId;

namespace {
std::string fixture() { return kh::base::readFile(std::string(KAKEHASHI_FIXTURES) + "/pair/crm_mon.xml"); }

// The fixture with one attribute of one node's line changed: `node` is the node's name.
std::string withNode(std::string xml, const std::string& node, const std::string& attribute, const std::string& value) {
    auto at = xml.find("<node name=\"" + node + "\" id=");
    REQUIRE(at != std::string::npos);
    auto a = xml.find(" " + attribute + "=\"", at);
    auto end = xml.find('"', a + attribute.size() + 3);
    return xml.replace(a + attribute.size() + 3, end - (a + attribute.size() + 3), value);
}

// Every resource of the fixture moved to kh-b: what the cluster shows once the services run there.
std::string runningOnB(std::string xml) {
    const std::string a = "<node name=\"kh-a\" id=\"1\" cached", b = "<node name=\"kh-b\" id=\"2\" cached";
    for (size_t at = 0; (at = xml.find(a, at)) != std::string::npos;) xml.replace(at, a.size(), b);
    // The clone's two instances change roles: the first (kh-a's) is demoted, the second promoted.
    const std::string promoted = "role=\"Promoted\"", unpromoted = "role=\"Unpromoted\"";
    auto second = xml.find(unpromoted);
    xml.replace(second, unpromoted.size(), promoted);
    xml.replace(xml.find(promoted), promoted.size(), unpromoted);
    return xml;
}

const char* kInSync = "kakehashi-data role:Primary\n"
                      "  disk:UpToDate\n"
                      "  peer role:Secondary\n"
                      "    replication:Established peer-disk:UpToDate\n";
}  // namespace

TEST_CASE("crm_mon: the node running the address is active, DRBD's primary is known", "[admin][pair]") {
    auto v = parseCrmMon(fixture());
    REQUIRE(v.known);
    CHECK(v.quorum);
    CHECK(v.activeNode == "kh-a");
    CHECK(v.promotedNode == "kh-a");
    REQUIRE(v.nodes.size() == 2);
    CHECK(v.nodes[1].name == "kh-b");
    CHECK(v.nodes[1].online);
    CHECK_FALSE(v.nodes[1].standby);
    CHECK(v.failures.empty());

    auto moved = parseCrmMon(runningOnB(fixture()));
    CHECK(moved.activeNode == "kh-b");
    CHECK(moved.promotedNode == "kh-b");
}

TEST_CASE("crm_mon: older role names, stopped resources, failures, the handover mark", "[admin][pair]") {
    std::string xml = fixture();
    xml.replace(xml.find("role=\"Promoted\""), 15, "role=\"Master\"");
    xml.replace(xml.find("ocf:heartbeat:IPaddr2"), 21, "ocf::heartbeat:IPaddr2");
    CHECK(parseCrmMon(xml).promotedNode == "kh-a");
    CHECK(parseCrmMon(xml).activeNode == "kh-a");

    std::string stopped = fixture();
    auto ip = stopped.find("resource_agent=\"ocf:heartbeat:IPaddr2\" role=\"Started\" active=\"true\"");
    stopped.replace(ip, 68, "resource_agent=\"ocf:heartbeat:IPaddr2\" role=\"Stopped\" active=\"false\"");
    CHECK(parseCrmMon(stopped).activeNode.empty());

    std::string failed = fixture();
    failed.replace(failed.find("  <status code"), 0,
                   "<failures>\n    <failure op_key=\"kakehashi_monitor_10000\" node=\"kh-a\" exitstatus=\"not running\" "
                   "exitreason=\"\" exitcode=\"7\" call=\"23\" status=\"complete\" last-rc-change=\"2026-12-07 16:20:11 +09:00\" "
                   "queued=\"0\" exec=\"0\" interval=\"10000\" task=\"monitor\"/>\n  </failures>\n");
    failed.replace(failed.find("<attribute name=\"master-drbd-data\""), 0, "<attribute name=\"kakehashi-handover\" value=\"1796000000\"/>");
    auto v = parseCrmMon(failed);
    REQUIRE(v.failures.size() == 1);
    CHECK(v.failures[0].resource == "kakehashi");
    CHECK(v.failures[0].task == "monitor");
    CHECK(v.failures[0].node == "kh-a");
    CHECK(v.node("kh-a")->handoverAt == 1796000000);
    CHECK(v.node("kh-b")->handoverAt == 0);
}

TEST_CASE("crm_mon: anything but its document is not a cluster", "[admin][pair]") {
    CHECK_FALSE(parseCrmMon("").known);
    CHECK_FALSE(parseCrmMon("<html><body>crm_mon</body></html>").known);
    CHECK_FALSE(parseCrmMon("<pacemaker-result><nodes>").known);
    CHECK_FALSE(parseCrmMon("Error: cluster is not available on this node").known);
}

TEST_CASE("why the services moved, from the cluster as it was then", "[admin][pair]") {
    const int64_t at = 1796000100;
    std::string after = runningOnB(fixture());
    CHECK(takeoverReason(parseCrmMon(withNode(after, "kh-a", "online", "false")), "kh-a", at) == "nodeLost");
    CHECK(takeoverReason(parseCrmMon(withNode(after, "kh-a", "unclean", "true")), "kh-a", at) == "nodeLost");
    CHECK(takeoverReason(parseCrmMon(after), "kh-gone", at) == "nodeLost");
    CHECK(takeoverReason(parseCrmMon(withNode(after, "kh-a", "standby", "true")), "kh-a", at) == "standby");

    std::string asked = after;
    asked.replace(asked.find("<attribute name=\"master-drbd-data\""), 0, "<attribute name=\"kakehashi-handover\" value=\"1796000090\"/>");
    CHECK(takeoverReason(parseCrmMon(asked), "kh-a", at) == "requested");
    CHECK(takeoverReason(parseCrmMon(asked), "kh-a", at + 3600) == "unknown");  // an old mark is not this move's

    std::string failed = after;
    failed.replace(failed.find("  <status code"), 0,
                   "<failures><failure op_key=\"smbd_monitor_10000\" node=\"kh-a\" exitreason=\"\" task=\"monitor\"/></failures>\n");
    CHECK(takeoverReason(parseCrmMon(failed), "kh-a", at) == "serviceFailed");
    CHECK(takeoverReason(parseCrmMon(after), "kh-a", at) == "unknown");
}

TEST_CASE("drbdadm status: connected, syncing, cut off", "[admin][pair]") {
    auto d = parseDrbdStatus(kInSync);
    CHECK(d.known);
    CHECK(d.role == "Primary");
    CHECK(d.disk == "UpToDate");
    CHECK(d.peerRole == "Secondary");
    CHECK(d.peerDisk == "UpToDate");
    CHECK(d.replication == "Established");
    CHECK(d.connected());
    CHECK(d.inSync());

    // DRBD 9 names the peer by its host name and prints no replication line while nothing is to be synced.
    auto nine = parseDrbdStatus("kakehashi-data role:Secondary\n  disk:UpToDate\n  kh-a role:Primary\n    peer-disk:UpToDate\n");
    CHECK(nine.role == "Secondary");
    CHECK(nine.peerRole == "Primary");
    CHECK(nine.inSync());

    auto syncing = parseDrbdStatus("kakehashi-data role:Primary\n  disk:UpToDate\n  peer role:Secondary\n"
                                   "    replication:SyncSource peer-disk:Inconsistent done:42.10\n");
    CHECK(syncing.connected());
    CHECK_FALSE(syncing.inSync());
    CHECK(syncing.replication == "SyncSource");
    CHECK(syncing.syncDonePercent == Approx(42.1));

    auto cut = parseDrbdStatus("kakehashi-data role:Primary\n  disk:UpToDate\n  peer connection:Connecting\n");
    CHECK(cut.known);
    CHECK(cut.connection == "Connecting");
    CHECK_FALSE(cut.connected());
    CHECK_FALSE(cut.inSync());

    auto alone = parseDrbdStatus("kakehashi-data role:Primary suspended:no\n  disk:UpToDate\n  kh-b connection:StandAlone\n");
    CHECK(alone.connection == "StandAlone");
    CHECK(alone.role == "Primary");

    auto other = parseDrbdStatus("other role:Primary\n  disk:Diskless\n  peer role:Secondary\n    replication:Established\n");
    CHECK_FALSE(other.known);
    CHECK_FALSE(other.connected());
    CHECK_FALSE(parseDrbdStatus("").known);
}

TEST_CASE("the pair as the helper's folder says, and the requests left for it", "[admin][pair]") {
    kh::test::TempDir dir;
    const std::string status = dir.path + "/status", requests = dir.path + "/requests";
    ::mkdir(status.c_str(), 0755);

    PairStatus none({"", "", "", ""});
    CHECK_FALSE(none.state().inPair);
    CHECK(kh::test::errorOf([&] { none.request("move", "kh-b", "kanri"); }) == ErrorId::NotFound);

    PairStatus pair({status, requests, "", ""});
    CHECK_FALSE(pair.state().inPair);  // the helper has written nothing yet: not shown as a pair

    kh::base::writeFileDurably(status + "/crm_mon.xml", fixture(), 0644);
    kh::base::writeFileDurably(status + "/node", "node=kh-a\n", 0644);
    kh::base::writeFileDurably(status + "/drbd-status", kInSync, 0644);
    auto s = pair.state();
    REQUIRE(s.inPair);
    CHECK(s.thisNode == "kh-a");
    CHECK(s.peerNode() == "kh-b");
    CHECK(s.cluster.activeNode == "kh-a");
    CHECK(s.updatedAt > 0);
    CHECK(s.standbyReady());
    CHECK_FALSE(s.lastTakeover);

    // The other node in standby, or DRBD cut off: nobody could take over now.
    kh::base::writeFileDurably(status + "/crm_mon.xml", withNode(fixture(), "kh-b", "standby", "true"), 0644);
    CHECK_FALSE(pair.state().standbyReady());
    kh::base::writeFileDurably(status + "/crm_mon.xml", fixture(), 0644);
    kh::base::writeFileDurably(status + "/drbd-status", "kakehashi-data role:Primary\n  disk:UpToDate\n  peer connection:Connecting\n", 0644);
    CHECK_FALSE(pair.state().standbyReady());

    kh::base::writeFileDurably(status + "/takeover", "at=1796000100\nfrom=kh-b\nto=kh-a\n", 0644);
    kh::base::writeFileDurably(status + "/takeover.xml", withNode(fixture(), "kh-b", "online", "false"), 0644);
    auto t = pair.state().lastTakeover;
    REQUIRE(t);
    CHECK(t->at == 1796000100);
    CHECK(t->from == "kh-b");
    CHECK(t->to == "kh-a");
    CHECK(t->reason == "nodeLost");

    CHECK(kh::test::errorOf([&] { pair.request("reboot", "kh-b", "kanri"); }) == ErrorId::InvalidField);
    CHECK(kh::test::errorOf([&] { pair.request("move", "kh-z", "kanri"); }) == ErrorId::InvalidField);
    std::string id = pair.request("move", "kh-b", "kanri\nid=forged");
    CHECK(id.size() == 16);
    std::string request = kh::base::readFile(requests + "/request");
    CHECK(request.find("id=" + id + "\n") == 0);
    CHECK(request.find("action=move\nnode=kh-b\n") != std::string::npos);
    CHECK(request.find("requestedBy=kanri id=forged\n") != std::string::npos);
    // One at a time: the helper has not taken the first.
    CHECK(kh::test::errorOf([&] { pair.request("standby", "kh-a", "kanri"); }) == ErrorId::PairBusy);

    CHECK_FALSE(pair.answer());
    kh::base::writeFileDurably(requests + "/answer", "id=" + id + "\naction=move\nstate=done\n", 0644);
    REQUIRE(pair.answer());
    CHECK(pair.answer()->at("state") == "done");
}
