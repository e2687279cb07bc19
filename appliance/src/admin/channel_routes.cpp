#include "admin/channel_routes.hpp"

#include <Poco/JSON/Array.h>

#include "http/cidr.hpp"
#include "endpoint/json_request.hpp"
#include "endpoint/json_writer.hpp"
#include "model/errors.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using endpoint::JsonWriter;
using model::ErrorId;
using model::KakehashiError;

bool validClientName(const std::string& n) {
    if (n.empty() || n.size() > 64) return false;
    for (char c : n)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

std::vector<std::string> cidrsOf(const Poco::JSON::Object::Ptr& o) {
    std::vector<std::string> out;
    auto list = o->getArray("allowCidrs");
    if (!list) return out;
    for (size_t i = 0; i < list->size(); ++i) {
        std::string c = list->getElement<std::string>(unsigned(i));
        // Refused here, not at use: stored as what it means ("10.1.2.3/8" → "10.0.0.0/8").
        auto normal = http::normaliseCidr(c);
        if (!normal) throw KakehashiError(ErrorId::InvalidField, "allowCidrs: 192.168.1.0/24 のように指定してください (" + c + ")");
        out.push_back(*normal);
    }
    return out;
}

HttpReply channels(const ChannelFacts& f, store::ApiClients& clients) {
    JsonWriter w;
    w.beginObject()
        .object("fileDrop")
        .field("enabled", f.fileDropEnabled)
        .field("root", f.shareRoot)
        .endObject()
        .object("httpApi")
        .field("listen", f.httpListen)
        .field("tls", f.httpTls)
        .endObject()
        .beginArray("pluginOrder");
    for (const auto& id : f.pluginOrder) w.beginObject().field("id", id).endObject();
    w.endArray().beginArray("apiClients");
    for (const auto& c : clients.list()) {
        w.beginObject().field("id", c.id).field("name", c.name).beginArray("allowCidrs");
        for (const auto& cidr : c.allowCidrs) w.beginObject().field("cidr", cidr).endObject();
        w.endArray().endObject();
    }
    w.endArray().endObject();
    return {200, "application/json", w.take(), {}};
}

}  // namespace

std::vector<AdminRoute> channelRoutes(ChannelFacts facts, store::ApiClients& clients, store::AuditLog& audit) {
    return {
        {"GET", "/admin/api/channels", "Share folders, listeners and the HTTP API's clients", Permission::ManageSettings,
         [facts, &clients](AdminCall&) { return channels(facts, clients); }},
        {"POST", "/admin/api/api-clients", "Add a client (or give it a new token): {name, allowCidrs?} → its token, once",
         Permission::ManageSettings, [&clients, &audit](AdminCall& call) {
             auto o = endpoint::jsonObject(call.http.body);
             std::string name = endpoint::stringMember(o, "name");
             if (!validClientName(name))
                 throw KakehashiError(ErrorId::InvalidField, "name: 英数字と . _ - で64文字まで (letters, digits, . _ -)");
             auto cidrs = cidrsOf(o);
             std::string token = clients.issue(name, cidrs);
             audit.append(call.actor(), "admin.api-client-issued", "api-client:" + name, std::to_string(cidrs.size()) + " CIDR");
             JsonWriter w;
             w.beginObject().field("name", name).field("token", token).endObject();
             return HttpReply{201, "application/json", w.take(), {}};
         }},
        {"DELETE", "/admin/api/api-clients/{name}", "Revoke a client's token", Permission::ManageSettings,
         [&clients, &audit](AdminCall& call) {
             const std::string& name = call.http.params["name"];
             if (!clients.revoke(name)) throw KakehashiError(ErrorId::NotFound, "no such client");
             audit.append(call.actor(), "admin.api-client-revoked", "api-client:" + name, "");
             return HttpReply{200, "application/json", "{}", {}};
         }},
    };
}

}  // namespace kh::admin
