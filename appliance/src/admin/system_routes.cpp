#include "admin/system_routes.hpp"

#include <sstream>

#include "endpoint/json_request.hpp"
#include "base/json_writer.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"

namespace kh::admin {
namespace {
using base::JsonWriter;
using endpoint::jsonReply;
using model::ErrorId;
using model::KakehashiError;
using services::FirmwareFields;

std::string value(const FirmwareFields& f, const char* key) { return services::fieldOf(f, key); }

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// Seconds since 1970 as the helper or the gateway wrote them, shown in Japan time.
std::string timeText(const std::string& seconds) {
    if (seconds.empty() || seconds.size() > 15 || seconds.find_first_not_of("0123456789") != std::string::npos) return "";
    return model::japanIso8601(model::fromUnixSeconds(std::stoll(seconds)));
}

void writeWords(JsonWriter& w, const char* key, const std::string& text) {
    w.beginArray(key);
    for (const auto& word : words(text)) w.field("", word);
    w.endArray();
}

endpoint::HttpReply view(services::SystemSetup& setup, const AdminCall& call, int status = 200) {
    auto s = setup.state();
    const auto& c = s.current;
    JsonWriter w;
    // The address as the firewall sees it: an IPv4 client without the IPv6 listener's "::ffff:".
    std::string from = call.http.remoteAddress;
    if (from.rfind("::ffff:", 0) == 0) from = from.substr(7);
    w.beginObject().field("available", s.available).field("browserAddress", from);
    if (s.available) {
        w.object("current").field("known", !c.empty());
        writeWords(w, "smbAccounts", value(c, "smb.accounts"));
        w.object("network")
            .field("mode", value(c, "network.mode"))
            .field("address", value(c, "network.address"))
            .field("prefix", value(c, "network.prefix"))
            .field("gateway", value(c, "network.gateway"));
        writeWords(w, "dns", value(c, "network.dns"));
        w.endObject();
        writeWords(w, "ntpServers", value(c, "ntp.servers"));
        writeWords(w, "lanRanges", value(c, "firewall.ranges"));
        w.endObject();
    }
    if (s.answer) {
        const auto& a = *s.answer;
        w.object("answer");
        for (const char* key : {"id", "action", "state", "message"}) w.field(key, value(a, key));
        w.field("at", timeText(value(a, a.count("at") ? "at" : "requestedAt")));
        w.endObject();
    }
    w.endObject();
    return jsonReply(status, w.take());
}

std::string trimmed(const std::string& s) {
    auto begin = s.find_first_not_of(" \t"), end = s.find_last_not_of(" \t");
    return begin == std::string::npos ? "" : s.substr(begin, end - begin + 1);
}

// A list member: an array of strings, each one value (trimmed; empty ones skipped), absent or null for none.
std::vector<std::string> stringList(const Poco::JSON::Object::Ptr& o, const char* key) {
    std::vector<std::string> out;
    if (!o->has(key) || o->isNull(key)) return out;
    auto array = o->getArray(key);
    if (!array) throw KakehashiError(ErrorId::InvalidField, std::string(key) + ": 文字列の配列で指定してください");
    for (size_t i = 0; i < array->size(); ++i) {
        auto v = array->get(unsigned(i));
        if (!v.isString()) throw KakehashiError(ErrorId::InvalidField, std::string(key) + ": 文字列の配列で指定してください");
        std::string value = trimmed(v.toString());
        if (!value.empty()) out.push_back(value);
    }
    return out;
}

// A number, or its digits as a string (a form's field); -1 when it is neither.
int prefixMember(const Poco::JSON::Object::Ptr& o) {
    if (!o->has("prefix") || o->isNull("prefix")) return -1;
    auto v = o->get("prefix");
    std::string digits = v.isString() ? trimmed(v.toString()) : v.isInteger() ? v.toString() : "";
    if (digits.empty() || digits.size() > 2 || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
    return std::stoi(digits);
}

services::LanAddress lanAddress(const Poco::JSON::Object::Ptr& o) {
    services::LanAddress lan;
    std::string mode = endpoint::stringMember(o, "mode");
    if (mode != "dhcp" && mode != "static")
        throw KakehashiError(ErrorId::InvalidField, "mode: DHCP か固定（dhcp / static）を選んでください");
    lan.dhcp = mode == "dhcp";
    if (lan.dhcp) return lan;
    lan.address = trimmed(endpoint::stringMember(o, "address"));
    lan.gateway = trimmed(endpoint::stringMember(o, "gateway"));
    lan.dns = stringList(o, "dns");
    lan.prefix = prefixMember(o);
    return lan;
}

// Runs a request and audits it: what was asked (never a password) or why the gateway refused it.
template <typename Ask>
endpoint::HttpReply ask(services::SystemSetup& setup, store::AuditLog& audit, AdminCall& call, const char* action,
                        Ask&& request) {
    std::string detail;
    try {
        detail = request();
    } catch (const KakehashiError& e) {
        audit.append(call.actor(), std::string("admin.system-") + action + "-refused", "system", e.info().name);
        throw;
    }
    audit.append(call.actor(), std::string("admin.system-") + action, "system", detail);
    return view(setup, call, 202);
}

}  // namespace

std::vector<AdminRoute> systemRoutes(services::SystemSetup& setup, store::AuditLog& audit) {
    auto& s = setup;
    auto& a = audit;
    return {
        {"GET", "/admin/api/system",
         "The box's SMB accounts, LAN address, time sources, allowed LAN ranges, and the helper's last answer",
         Permission::ManageSettings, [&s](AdminCall& call) { return view(s, call); }},
        {"POST", "/admin/api/system/smb-accounts", "Add an SMB account of the share or set its password: {name, password}",
         Permission::ManageSettings,
         [&s, &a](AdminCall& call) {
             auto o = endpoint::jsonObject(call.http.body);
             std::string name = trimmed(endpoint::stringMember(o, "name"));
             std::string password = endpoint::stringMember(o, "password");
             return ask(s, a, call, "smb-account-set", [&] {
                 s.setSmbAccount(name, password, call.actor());
                 return "name=" + name;
             });
         }},
        {"DELETE", "/admin/api/system/smb-accounts/{name}", "Delete an SMB account of the share", Permission::ManageSettings,
         [&s, &a](AdminCall& call) {
             std::string name = call.http.params["name"];
             return ask(s, a, call, "smb-account-delete", [&] {
                 s.deleteSmbAccount(name, call.actor());
                 return "name=" + name;
             });
         }},
        {"POST", "/admin/api/system/smb-accounts/refresh", "Read the SMB accounts of the share again",
         Permission::ManageSettings,
         [&s, &a](AdminCall& call) {
             return ask(s, a, call, "smb-accounts-list", [&] {
                 s.listSmbAccounts(call.actor());
                 return std::string();
             });
         }},
        {"PUT", "/admin/api/system/network",
         "The LAN address: {mode: dhcp} or {mode: static, address, prefix, gateway, dns: []}",
         Permission::ManageSettings,
         [&s, &a](AdminCall& call) {
             auto o = endpoint::jsonObject(call.http.body);
             return ask(s, a, call, "network", [&] {
                 auto lan = lanAddress(o);
                 s.setLanAddress(lan, call.actor());
                 if (lan.dhcp) return std::string("mode=dhcp");
                 std::string dns;
                 for (const auto& d : lan.dns) dns += (dns.empty() ? "" : ",") + d;
                 return "mode=static address=" + lan.address + "/" + std::to_string(lan.prefix) + " gateway=" + lan.gateway +
                        " dns=" + dns;
             });
         }},
        {"PUT", "/admin/api/system/ntp", "The time sources: {servers: []} (none: only those DHCP gives)",
         Permission::ManageSettings,
         [&s, &a](AdminCall& call) {
             auto o = endpoint::jsonObject(call.http.body);
             return ask(s, a, call, "ntp", [&] {
                 auto servers = stringList(o, "servers");
                 s.setTimeSources(servers, call.actor());
                 std::string text;
                 for (const auto& v : servers) text += (text.empty() ? "" : ",") + v;
                 return "servers=" + text;
             });
         }},
        {"PUT", "/admin/api/system/firewall", "The LAN ranges allowed to reach the box: {ranges: []} (none: the whole LAN)",
         Permission::ManageSettings,
         [&s, &a](AdminCall& call) {
             auto o = endpoint::jsonObject(call.http.body);
             return ask(s, a, call, "firewall", [&] {
                 auto ranges = stringList(o, "ranges");
                 s.setLanRanges(ranges, call.http.remoteAddress, call.actor());
                 std::string text;
                 for (const auto& v : ranges) text += (text.empty() ? "" : ",") + v;
                 return "ranges=" + text;
             });
         }},
        {"POST", "/admin/api/system/readers/attach",
         "Attach a home visit's card reader shared over USB/IP by a tablet: {host, busId}", Permission::ManageSettings,
         [&s, &a](AdminCall& call) {
             auto o = endpoint::jsonObject(call.http.body);
             return ask(s, a, call, "reader-attach", [&] {
                 std::string host = endpoint::stringMember(o, "host"), busId = endpoint::stringMember(o, "busId");
                 s.attachReader(host, busId, call.actor());
                 return "host=" + host + " busid=" + busId;
             });
         }},
        {"POST", "/admin/api/system/readers/detach", "Detach an attached card reader: {port}", Permission::ManageSettings,
         [&s, &a](AdminCall& call) {
             auto o = endpoint::jsonObject(call.http.body);
             return ask(s, a, call, "reader-detach", [&] {
                 int port = o->has("port") && o->get("port").isInteger() ? o->getValue<int>("port") : -1;
                 s.detachReader(port, call.actor());
                 return "port=" + std::to_string(port);
             });
         }},
        {"POST", "/admin/api/system/reboot", "Restart the box", Permission::ManageSettings,
         [&s, &a](AdminCall& call) {
             return ask(s, a, call, "reboot", [&] {
                 s.reboot(call.actor());
                 return std::string();
             });
         }},
    };
}

}  // namespace kh::admin
