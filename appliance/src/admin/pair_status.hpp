// The HA pair (two boxes, one address: docs/ha.md) as the web admin and /metrics see it. The gateway runs on
// the active node only and has no rights over the cluster. The root helper /usr/libexec/kakehashi/pair-status
// (kakehashi-pair-status.timer, every few seconds, on both nodes) writes what the cluster says into its status
// folder and takes the gateway's requests from the request folder — the same split as the firmware updater.
//
// The status folder (root's, on the node's own partition; the gateway only reads it):
//   node            this node's name in the cluster (node=…)
//   crm_mon.xml     `crm_mon -1 --output-as=xml --include=all`, replaced whole each round
//   drbd-status     `drbdadm status kakehashi-data`
//   takeover        the last change of active node the helper saw: at=, from=, to=
//   takeover.xml    crm_mon.xml as it was at that moment (why the resources moved)
// The request folder (the gateway's, on the replicated /data, so only the active node's helper takes it, and
// what it answered moves with the services):
//   request         id=, action= (move | standby | online), node=, requestedAt=, requestedBy=
//   answer          the helper's answer to the last request: id=, action=, node=, state= (taken | done |
//                   failed), message=, at=
// Text files are key=value lines like the firmware updater's (services::parseFirmwareFields).
// No status folder, or no crm_mon.xml in it: the box is not in a pair, and the view is hidden.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kh::admin {

// One resource of the DRBD device as `drbdadm status` prints it (DRBD 9 and drbd-utils with DRBD 8.4):
//   kakehashi-data role:Primary
//     disk:UpToDate
//     peer role:Secondary
//       replication:SyncSource peer-disk:Inconsistent done:42.10
// A peer that is not connected shows `peer connection:Connecting` (or StandAlone) and no replication line.
struct DrbdState {
    bool known = false;               // the text named the resource
    std::string role, disk;           // this node's: Primary | Secondary; UpToDate | Inconsistent | Diskless …
    std::string connection;           // Connected, or why not: Connecting | StandAlone | …
    std::string peerRole, peerDisk;   // as this node last heard
    std::string replication;          // Established | SyncSource | SyncTarget | …
    double syncDonePercent = -1;      // while a resync runs
    bool connected() const { return connection == "Connected"; }
    bool inSync() const { return connected() && disk == "UpToDate" && peerDisk == "UpToDate"; }
};

DrbdState parseDrbdStatus(std::string_view text, std::string_view resource = "kakehashi-data");

struct ClusterNode {
    std::string name;
    bool online = false, standby = false, maintenance = false, unclean = false;
    int64_t handoverAt = 0;  // the node attribute kakehashi-handover: when a move away from it was asked
};

struct ClusterFailure {
    std::string node, resource, task, exitReason, lastChange;
};

// What `crm_mon --output-as=xml` says about the pair.
struct ClusterView {
    bool known = false;           // it was a crm_mon document
    bool quorum = false;          // the DC has quorum (with the quorum device, a lone node still may)
    std::string activeNode;       // where the services group runs (its IP address), "" when nowhere
    std::string promotedNode;     // where DRBD is primary
    std::vector<ClusterNode> nodes;
    std::vector<ClusterFailure> failures;
    const ClusterNode* node(const std::string& name) const;
};

// Throws nothing: a document that does not parse gives known=false.
ClusterView parseCrmMon(std::string_view xml);

// Why the services left `from`, as the cluster looked when the helper saw them go:
// "nodeLost" (the node went offline or unclean: a crash, a power cut, the cable), "standby" (put in standby
// for maintenance), "requested" (a move asked from the web admin or by hand, kakehashi-handover), "serviceFailed"
// (a resource failed there), "unknown".
std::string takeoverReason(const ClusterView& atTakeover, const std::string& from, int64_t at);

struct Takeover {
    int64_t at = 0;
    std::string from, to, reason;
};

struct PairState {
    bool inPair = false;
    std::string thisNode;
    ClusterView cluster;
    DrbdState drbd;
    std::optional<Takeover> lastTakeover;
    int64_t updatedAt = 0;  // when the helper last wrote crm_mon.xml (unix seconds)
    // The other node could take over now: online, not in standby, DRBD connected and its disk up to date.
    bool standbyReady() const;
    std::string peerNode() const;  // the other node's name ("" when the cluster knows only this one)
};

struct PairSettings {
    std::string statusDir;   // empty: not a pair image
    std::string requestDir;
    std::string name;        // the pair's host name and floating address, named by the certificates made here
    std::string address;
};

class PairStatus {
public:
    explicit PairStatus(PairSettings settings) : settings_(std::move(settings)) {}
    PairState state() const;
    // Leaves a request for the helper; returns its id. action: move (the services to the other node), standby
    // (this node, for maintenance), online (node back from standby). Throws model::KakehashiError:
    // NotFound (not in a pair), BadRequest (an unknown action, or a node not in the cluster).
    std::string request(const std::string& action, const std::string& node, const std::string& by);
    // The helper's answer to the last request (empty when there is none).
    std::optional<std::map<std::string, std::string>> answer() const;

private:
    PairSettings settings_;
};

}  // namespace kh::admin
