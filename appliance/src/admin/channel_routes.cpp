#include "admin/channel_routes.hpp"

#include <Poco/JSON/Array.h>

#include "base/json_writer.hpp"
#include "endpoint/json_request.hpp"
#include "model/address_range.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using base::JsonWriter;
using model::ErrorId;
using model::KakehashiError;

bool validClientName(const std::string& n) {
    if (n.empty() || n.size() > 64) return false;
    for (char c : n)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

// Each entry checked and normalised here, so a bad one is refused naming it, not stored and ignored at use.
std::vector<std::string> cidrsOf(const Poco::JSON::Object::Ptr& o) {
    std::vector<std::string> out;
    if (!o->has("allowCidrs") || o->isNull("allowCidrs")) return out;
    auto list = o->getArray("allowCidrs");
    if (!list) throw KakehashiError(ErrorId::InvalidField, "allowCidrs: アドレスの配列を指定してください");
    for (size_t i = 0; i < list->size(); ++i) {
        if (!list->get(unsigned(i)).isString())
            throw KakehashiError(ErrorId::InvalidField, "allowCidrs: アドレスは文字列で指定してください");
        out.push_back(model::normaliseAddressRange(list->getElement<std::string>(unsigned(i))));
    }
    return out;
}

// "expiresDays": 0 for never; absent or null for the default year.
int validDaysOf(const Poco::JSON::Object::Ptr& o) {
    if (!o->has("expiresDays") || o->isNull("expiresDays")) return store::ApiClients::kDefaultValidDays;
    auto v = o->get("expiresDays");
    if (!v.isInteger())
        throw KakehashiError(ErrorId::InvalidField, "expiresDays: 日数を整数で指定してください");
    auto days = v.convert<int64_t>();
    if (days < 0 || days > store::ApiClients::kMostValidDays)
        throw KakehashiError(ErrorId::InvalidField, "expiresDays: 0（無期限）〜" + std::to_string(store::ApiClients::kMostValidDays) +
                                                        " の日数を入力してください");
    return int(days);
}

std::string isoTime(int64_t t) { return model::japanIso8601(model::fromUnixSeconds(t)); }

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
    for (const auto& id : f.pluginOrder ? f.pluginOrder() : std::vector<std::string>{}) w.beginObject().field("id", id).endObject();
    w.endArray().beginArray("apiClients");
    int64_t now = store::nowSeconds();
    for (const auto& c : clients.list()) {
        w.beginObject().field("id", c.id).field("name", c.name).field("createdAt", isoTime(c.createdAt));
        if (c.expiresAt) w.field("expiresAt", isoTime(*c.expiresAt));
        w.field("expired", c.expired(now)).beginArray("allowCidrs");
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
        {"POST", "/admin/api/api-clients",
         "Add a client (or give it a new token): {name, allowCidrs?, expiresDays? (365; 0: never)} → its token, once",
         Permission::ManageSettings, [&clients, &audit](AdminCall& call) {
             auto o = endpoint::jsonObject(call.http.body);
             std::string name = endpoint::stringMember(o, "name");
             if (!validClientName(name))
                 throw KakehashiError(ErrorId::InvalidField, "name: 英数字と . _ - の64文字以内で入力してください");
             auto cidrs = cidrsOf(o);
             int days = validDaysOf(o);
             std::string token = clients.issue(name, cidrs, days);
             audit.append(call.actor(), "admin.api-client-issued", "api-client:" + name,
                          std::to_string(cidrs.size()) + " CIDR, expires " + (days ? "in " + std::to_string(days) + " days" : "never"));
             JsonWriter w;
             w.beginObject().field("name", name).field("token", token).field("expiresDays", int64_t(days)).endObject();
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
