#include "admin/pair_status.hpp"

#include <sys/stat.h>

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/SAX/XMLReader.h>

#include <chrono>
#include <cstdlib>
#include <sstream>

#include "base/files.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"
#include "services/firmware_updates.hpp"

namespace kh::admin {
namespace {
using Poco::XML::Element;

bool isTrue(const Element* e, const char* attribute) { return e->getAttribute(attribute) == "true"; }

int64_t number(const std::string& digits) {
    if (digits.empty() || digits.size() > 15 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoll(digits);
}

std::vector<Element*> elements(const Element* parent, const char* name) {
    std::vector<Element*> out;
    Poco::AutoPtr<Poco::XML::NodeList> list = parent->getElementsByTagName(name);
    for (unsigned long i = 0; i < list->length(); ++i) out.push_back(static_cast<Element*>(list->item(i)));
    return out;
}

// The node a resource runs on: its first <node name=…> child.
std::string runningOn(const Element* resource) {
    for (auto* n : elements(resource, "node")) return n->getAttribute("name");
    return "";
}

bool promoted(const std::string& role) { return role == "Promoted" || role == "Master"; }

std::string fieldsFile(const std::string& path, const char* key) {
    auto text = base::tryReadFile(path, 64 * 1024);
    if (!text) return "";
    auto fields = services::parseFirmwareFields(*text);
    auto it = fields.find(key);
    return it == fields.end() ? "" : it->second;
}
}  // namespace

DrbdState parseDrbdStatus(std::string_view text, std::string_view resource) {
    DrbdState d;
    std::istringstream in{std::string(text)};
    std::string line;
    bool inResource = false, inPeer = false;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        bool indented = line[0] == ' ';
        std::istringstream words(line);
        std::string first;
        words >> first;
        if (!indented) {
            inResource = first == resource;
            inPeer = false;
            if (inResource) d.known = true;
        } else if (inResource && line.compare(0, 4, "    ") != 0) {
            // a two-space line: this node's disk, or a peer's heading (its name, then role: or connection:)
            inPeer = first.find(':') == std::string::npos;
            if (inPeer) d.connection = "Connected";  // unless the heading says otherwise
        }
        if (!inResource) continue;
        std::vector<std::string> pairs;
        if (first.find(':') != std::string::npos) pairs.push_back(first);
        for (std::string w; words >> w;) pairs.push_back(w);
        for (const auto& w : pairs) {
            auto colon = w.find(':');
            if (colon == std::string::npos) continue;
            std::string key = w.substr(0, colon), value = w.substr(colon + 1);
            if (!inPeer && !indented && key == "role") d.role = value;
            else if (!inPeer && key == "disk") d.disk = value;
            else if (inPeer && key == "role") d.peerRole = value;
            else if (inPeer && key == "connection") d.connection = value;
            else if (inPeer && key == "peer-disk") d.peerDisk = value;
            else if (inPeer && key == "replication") d.replication = value;
            else if (inPeer && key == "done") d.syncDonePercent = std::strtod(value.c_str(), nullptr);
        }
    }
    return d;
}

const ClusterNode* ClusterView::node(const std::string& name) const {
    for (const auto& n : nodes)
        if (n.name == name) return &n;
    return nullptr;
}

ClusterView parseCrmMon(std::string_view xml) {
    ClusterView v;
    try {
        Poco::XML::DOMParser parser;
        parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
        parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
        Poco::AutoPtr<Poco::XML::Document> doc = parser.parseString(std::string(xml));
        Element* root = doc->documentElement();
        if (!root || (root->nodeName() != "pacemaker-result" && root->nodeName() != "crm_mon")) return v;
        v.known = true;
        for (auto* dc : elements(root, "current_dc")) v.quorum = isTrue(dc, "with_quorum");
        for (auto* nodes : elements(root, "nodes"))
            for (auto* n : elements(nodes, "node"))
                v.nodes.push_back({n->getAttribute("name"), isTrue(n, "online"), isTrue(n, "standby"),
                                   isTrue(n, "maintenance"), isTrue(n, "unclean"), 0});
        for (auto* attributes : elements(root, "node_attributes"))
            for (auto* n : elements(attributes, "node"))
                for (auto* a : elements(n, "attribute"))
                    if (a->getAttribute("name") == "kakehashi-handover")
                        for (auto& node : v.nodes)
                            if (node.name == n->getAttribute("name")) node.handoverAt = number(a->getAttribute("value"));
        for (auto* resources : elements(root, "resources")) {
            for (auto* r : elements(resources, "resource")) {
                if (!isTrue(r, "active") || isTrue(r, "failed")) continue;
                const std::string agent = r->getAttribute("resource_agent");
                if (agent.find(":drbd") != std::string::npos && promoted(r->getAttribute("role")))
                    v.promotedNode = runningOn(r);
                if (agent == "ocf::heartbeat:IPaddr2" || agent == "ocf:heartbeat:IPaddr2") v.activeNode = runningOn(r);
            }
        }
        for (auto* failures : elements(root, "failures"))
            for (auto* f : elements(failures, "failure")) {
                std::string key = f->getAttribute("op_key");  // <resource>_<task>_<interval>
                auto cut = key.rfind('_');
                cut = cut == std::string::npos || cut == 0 ? std::string::npos : key.rfind('_', cut - 1);
                v.failures.push_back({f->getAttribute("node"), cut == std::string::npos ? key : key.substr(0, cut),
                                      f->getAttribute("task"), f->getAttribute("exitreason"),
                                      f->getAttribute("last-rc-change")});
            }
    } catch (const std::exception&) {
        v = ClusterView{};
    }
    return v;
}

std::string takeoverReason(const ClusterView& atTakeover, const std::string& from, int64_t at) {
    const ClusterNode* n = atTakeover.node(from);
    if (!n || !n->online || n->unclean) return "nodeLost";
    if (n->standby) return "standby";
    // The helper marks a node just before it asks the cluster to move the services away from it.
    if (n->handoverAt && n->handoverAt <= at && at - n->handoverAt <= 600) return "requested";
    for (const auto& f : atTakeover.failures)
        if (f.node == from) return "serviceFailed";
    return "unknown";
}

std::string PairState::peerNode() const {
    for (const auto& n : cluster.nodes)
        if (n.name != thisNode) return n.name;
    return "";
}

bool PairState::standbyReady() const {
    const ClusterNode* peer = cluster.node(peerNode());
    return peer && peer->online && !peer->standby && !peer->unclean && drbd.inSync();
}

PairState PairStatus::state() const {
    PairState s;
    if (settings_.statusDir.empty()) return s;
    const std::string dir = settings_.statusDir + "/";
    auto xml = base::tryReadFile(dir + "crm_mon.xml", 4 * 1024 * 1024);
    if (!xml) return s;
    s.cluster = parseCrmMon(*xml);
    s.inPair = s.cluster.known;
    if (!s.inPair) return s;
    struct stat st {};
    if (::stat((dir + "crm_mon.xml").c_str(), &st) == 0) s.updatedAt = st.st_mtime;
    s.thisNode = fieldsFile(dir + "node", "node");
    if (auto drbd = base::tryReadFile(dir + "drbd-status", 64 * 1024)) s.drbd = parseDrbdStatus(*drbd);
    if (int64_t at = number(fieldsFile(dir + "takeover", "at"))) {
        Takeover t{at, fieldsFile(dir + "takeover", "from"), fieldsFile(dir + "takeover", "to"), "unknown"};
        if (auto then = base::tryReadFile(dir + "takeover.xml", 4 * 1024 * 1024))
            t.reason = takeoverReason(parseCrmMon(*then), t.from, at);
        s.lastTakeover = t;
    }
    return s;
}

std::string PairStatus::request(const std::string& action, const std::string& node, const std::string& by) {
    auto s = state();
    if (!s.inPair || settings_.requestDir.empty())
        throw model::KakehashiError(model::ErrorId::NotFound, "this box is not in a pair");
    if (action != "move" && action != "standby" && action != "online")
        throw model::KakehashiError(model::ErrorId::InvalidField, "action: move, standby or online");
    if (!s.cluster.node(node))
        throw model::KakehashiError(model::ErrorId::InvalidField, "node: not a node of the cluster");
    const std::string path = settings_.requestDir + "/request";
    if (base::tryReadFile(path, 64 * 1024))
        throw model::KakehashiError(model::ErrorId::PairBusy, "a request waits for the helper");
    const std::string id = crypto::hex(crypto::randomBytes(8));
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::ostringstream text;
    std::string who = by;
    for (char& c : who)
        if (c == '\n' || c == '\r') c = ' ';  // one value a line
    text << "id=" << id << "\naction=" << action << "\nnode=" << node << "\nrequestedAt=" << now
         << "\nrequestedBy=" << who << "\n";
    ::mkdir(settings_.requestDir.c_str(), 0700);
    base::writeFileDurably(path, text.str(), 0600);
    return id;
}

std::optional<std::map<std::string, std::string>> PairStatus::answer() const {
    if (settings_.requestDir.empty()) return std::nullopt;
    auto text = base::tryReadFile(settings_.requestDir + "/answer", 64 * 1024);
    if (!text) return std::nullopt;
    return services::parseFirmwareFields(*text);
}

}  // namespace kh::admin
