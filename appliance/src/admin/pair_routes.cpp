#include "admin/pair_routes.hpp"

#include "endpoint/json_request.hpp"
#include "base/json_writer.hpp"
#include "model/japan_date.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using base::JsonWriter;

std::string timeText(int64_t seconds) { return seconds ? model::japanIso8601(model::fromUnixSeconds(seconds)) : ""; }

HttpReply view(const PairStatus& pair, int status = 200) {
    auto s = pair.state();
    JsonWriter w;
    w.beginObject().field("inPair", s.inPair);
    if (!s.inPair) {
        w.endObject();
        return {status, "application/json", w.take(), {}};
    }
    w.field("thisNode", s.thisNode)
        .field("activeNode", s.cluster.activeNode)
        .field("quorum", s.cluster.quorum)
        .field("standbyReady", s.standbyReady())
        .field("updatedAt", timeText(s.updatedAt));
    w.beginArray("nodes");
    for (const auto& n : s.cluster.nodes)
        w.beginObject()
            .field("name", n.name)
            .field("online", n.online && !n.unclean)
            .field("standby", n.standby)
            .field("maintenance", n.maintenance)
            .field("active", n.name == s.cluster.activeNode)
            .field("thisNode", n.name == s.thisNode)
            .endObject();
    w.endArray();
    const auto& d = s.drbd;
    w.object("drbd")
        .field("known", d.known)
        .field("role", d.role)
        .field("disk", d.disk)
        .field("connection", d.connection)
        .field("peerRole", d.peerRole)
        .field("peerDisk", d.peerDisk)
        .field("replication", d.replication)
        .field("connected", d.connected())
        .field("inSync", d.inSync());
    if (d.syncDonePercent >= 0) w.field("syncDonePercent", int64_t(d.syncDonePercent));
    w.endObject();
    if (s.lastTakeover)
        w.object("lastTakeover")
            .field("at", timeText(s.lastTakeover->at))
            .field("from", s.lastTakeover->from)
            .field("to", s.lastTakeover->to)
            .field("reason", s.lastTakeover->reason)
            .endObject();
    w.beginArray("failures");
    for (const auto& f : s.cluster.failures)
        w.beginObject()
            .field("node", f.node)
            .field("resource", f.resource)
            .field("task", f.task)
            .field("at", f.lastChange)
            .endObject();
    w.endArray();
    if (auto a = pair.answer()) {
        w.object("request");
        for (const char* key : {"id", "action", "node", "state", "message"}) {
            auto it = a->find(key);
            w.field(key, it == a->end() ? "" : it->second);
        }
        auto at = a->find("at");
        int64_t seconds = 0;
        if (at != a->end() && !at->second.empty() && at->second.size() < 16 &&
            at->second.find_first_not_of("0123456789") == std::string::npos)
            seconds = std::stoll(at->second);
        w.field("at", timeText(seconds)).endObject();
    }
    w.endObject();
    return {status, "application/json", w.take(), {}};
}
}  // namespace

std::vector<AdminRoute> pairRoutes(PairStatus& pair, store::AuditLog& audit) {
    return {
        {"GET", "/admin/api/pair",
         "The HA pair: the active node, each node's state, DRBD, the last takeover and why ({inPair:false} alone)",
         Permission::ViewDashboard, [&pair](AdminCall&) { return view(pair); }},
        {"POST", "/admin/api/pair/requests",
         "Ask the cluster to move the services to the other node, or put a node in standby or back online: "
         "{action: move|standby|online, node}",
         Permission::ManageSettings, [&pair, &audit](AdminCall& call) {
             auto body = endpoint::jsonObject(call.http.body);
             std::string action = endpoint::stringMember(body, "action");
             std::string node = endpoint::stringMember(body, "node");
             std::string id = pair.request(action, node, call.actor());
             audit.append(call.actor(), "admin.pair-requested", "pair", "action=" + action + " node=" + node + " id=" + id);
             return view(pair, 202);
         }},
    };
}

}  // namespace kh::admin
