#include "admin/plugin_routes.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "crypto/encoding.hpp"
#include "endpoint/json_request.hpp"
#include "model/errors.hpp"
#include "plugins/plugin_order.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using endpoint::jsonReply;
using model::ErrorId;
using model::KakehashiError;
using Poco::JSON::Object;

constexpr const char* kOrderKey = "plugins.order";  // one of admin::settingRules()

std::string settingKey(const std::string& id) { return "plugin." + id + ".settings"; }
std::string sealPlace(const std::string& id) { return "plugin-settings:" + id; }


std::string text(const Object::Ptr& o) {
    std::ostringstream out;
    o->stringify(out);
    return out.str();
}

Object::Ptr parsed(const std::string& json) {
    try {
        auto o = Poco::JSON::Parser(new Poco::JSON::ParseHandler(true)).parse(json).extract<Object::Ptr>();  // in order
        if (o) return o;
    } catch (const std::exception&) {
    }
    return new Object;
}

// The names of the schema's properties marked "secret": true.
std::set<std::string> secretNames(const std::string& schemaJson) {
    std::set<std::string> out;
    auto properties = parsed(schemaJson)->getObject("properties");
    if (!properties) return out;
    for (const auto& [name, value] : *properties) {
        auto p = properties->getObject(name);
        if (p && p->optValue<bool>("secret", false)) out.insert(name);
    }
    return out;
}

const plugins::PluginStatus& statusOf(plugins::PluginRegistry& r, const std::string& id, std::vector<plugins::PluginStatus>& all) {
    all = r.status();
    for (const auto& s : all)
        if (s.id == id) return s;
    throw KakehashiError(ErrorId::NotFound, "no such plugin");
}

// {"schema": <the plugin's schema>, "values": <settings without secrets>, "secretsSet": [names]}
HttpReply settingsView(PluginParts& p, const std::string& id) {
    std::vector<plugins::PluginStatus> all;
    const auto& status = statusOf(p.registry, id, all);
    auto values = parsed(p.registry.settingsOf(id));
    Poco::JSON::Array::Ptr set = new Poco::JSON::Array;
    for (const auto& name : secretNames(status.manifest.settingsSchemaJson)) {
        if (values->has(name)) set->add(name);
        values->remove(name);
    }
    Object::Ptr out = new Object;
    out->set("id", id);
    out->set("schema", parsed(status.manifest.settingsSchemaJson));
    out->set("values", values);
    out->set("secretsSet", set);
    return jsonReply(200, text(out));
}

HttpReply changeSettings(PluginParts& p, AdminCall& call) {
    const std::string& id = call.http.params["id"];
    std::vector<plugins::PluginStatus> all;
    const auto& status = statusOf(p.registry, id, all);
    auto values = endpoint::jsonObject(call.http.body)->getObject("values");
    if (!values) throw KakehashiError(ErrorId::InvalidField, "values: 設定値をオブジェクトで指定してください");
    auto current = parsed(p.registry.settingsOf(id));
    for (const auto& name : secretNames(status.manifest.settingsSchemaJson))
        if (!values->has(name) && current->has(name)) values->set(name, current->get(name));  // kept unless given anew
    std::string settings = text(values);
    std::string problem = p.registry.changeSettings(id, settings);
    if (!problem.empty()) {
        p.audit.append(call.actor(), "admin.plugin-settings-refused", "plugin:" + id, "");
        throw KakehashiError(ErrorId::InvalidField, problem);
    }
    p.settings.set(settingKey(id), crypto::base64Encode(p.key.seal(settings, sealPlace(id))), call.actor());
    p.audit.append(call.actor(), "admin.plugin-settings-changed", "plugin:" + id, "");  // values may be secret
    return settingsView(p, id);
}

// The order as it now runs, kept in the store so the next start binds the same plugins the same way.
void keepOrder(PluginParts& p, const std::vector<std::string>& order, const std::string& actor) {
    auto text = plugins::orderText(order);
    auto stored = p.settings.get(kOrderKey);
    if (!stored || stored->value != text) p.settings.set(kOrderKey, text, actor);
}

// Enabling puts a plugin at the end of the order (a built-in adapter has no place in it); refused, the
// order stays as it was and the refusal's reason shows in the list.
HttpReply enable(PluginParts& p, AdminCall& call) {
    const std::string& id = call.http.params["id"];
    std::vector<plugins::PluginStatus> all;
    const auto& status = statusOf(p.registry, id, all);
    auto before = p.registry.order();
    auto order = status.builtIn ? before : plugins::withPlugin(before, id);
    p.registry.setOrder(order);
    std::string problem = p.registry.enable(id);
    if (!problem.empty()) p.registry.setOrder(before);
    p.audit.append(call.actor(), "admin.plugin-enabled", "plugin:" + id, problem.empty() ? "ok" : problem);
    if (!problem.empty()) throw KakehashiError(ErrorId::PluginRefused, problem);
    if (!status.builtIn) keepOrder(p, order, call.actor());
    return jsonReply(200, p.channel.statusJson());
}

HttpReply disable(PluginParts& p, AdminCall& call) {
    const std::string& id = call.http.params["id"];
    std::vector<plugins::PluginStatus> all;
    const auto& status = statusOf(p.registry, id, all);
    std::string problem = p.registry.disable(id);
    if (problem.empty() && !status.builtIn) {
        auto order = plugins::withoutPlugin(p.registry.order(), id);
        p.registry.setOrder(order);
        keepOrder(p, order, call.actor());
    }
    p.audit.append(call.actor(), "admin.plugin-disabled", "plugin:" + id, problem.empty() ? "ok" : problem);
    if (!problem.empty()) throw KakehashiError(ErrorId::PluginRefused, problem);
    return jsonReply(200, p.channel.statusJson());
}

// {"direction": "up" | "down"}: one place earlier or later among the enabled plugins.
HttpReply move(PluginParts& p, AdminCall& call) {
    const std::string& id = call.http.params["id"];
    std::string direction = endpoint::stringMember(endpoint::jsonObject(call.http.body), "direction");
    if (direction != "up" && direction != "down")
        throw KakehashiError(ErrorId::InvalidField, "direction: up（前へ）か down（後ろへ）を指定してください");
    auto before = p.registry.order();
    if (!std::count(before.begin(), before.end(), id))
        throw KakehashiError(ErrorId::InvalidField, "有効にしていないプラグインは並べ替えられません。先に有効にしてください");
    auto order = plugins::movedPlugin(before, id, direction == "up" ? -1 : 1);
    p.registry.setOrder(order);
    keepOrder(p, order, call.actor());
    p.audit.append(call.actor(), "admin.plugin-moved", "plugin:" + id, "order=" + plugins::orderText(order));
    return jsonReply(200, p.channel.statusJson());
}

}  // namespace

void applyPluginOrder(plugins::PluginRegistry& registry, const std::string& orderText) {
    auto order = plugins::parseOrder(orderText);
    registry.setOrder(order);
    for (const auto& id : order) registry.enable(id);  // a refused plugin shows why in the list
}

std::string storedPluginSettings(store::Settings& settings, const store::DataKey& key, const std::string& id) {
    auto stored = settings.get(settingKey(id));
    if (!stored) return "";
    auto sealed = crypto::base64Decode(stored->value);
    if (!sealed) return "";
    return key.open(*sealed, sealPlace(id));
}

std::vector<AdminRoute> pluginRoutes(PluginParts parts) {
    auto p = std::make_shared<PluginParts>(parts);
    return {
        {"GET", "/admin/api/plugins", "Adapter plugins in their order: state and, when refused, why", Permission::ManageSettings,
         [p](AdminCall&) { return jsonReply(200, p->channel.statusJson()); }},
        {"POST", "/admin/api/plugins/{id}/enable", "Enable a plugin: loaded now, and last in the stored plugins.order",
         Permission::ManageSettings, [p](AdminCall& call) { return enable(*p, call); }},
        {"POST", "/admin/api/plugins/{id}/disable", "Disable a plugin: unbound now, and out of the stored plugins.order",
         Permission::ManageSettings, [p](AdminCall& call) { return disable(*p, call); }},
        {"POST", "/admin/api/plugins/{id}/move", "Move an enabled plugin in the order: {direction: up|down}",
         Permission::ManageSettings, [p](AdminCall& call) { return move(*p, call); }},
        {"POST", "/admin/api/plugins/{id}/reload", "Read a plugin again from disk (signature checked)",
         Permission::ManageSettings, [p](AdminCall& call) {
             const std::string& id = call.http.params["id"];
             std::string problem = p->registry.reload(id);
             p->audit.append(call.actor(), "admin.plugin-reloaded", "plugin:" + id, problem.empty() ? "ok" : problem);
             if (!problem.empty()) throw KakehashiError(ErrorId::PluginRefused, problem);
             return jsonReply(200, p->channel.statusJson());
         }},
        {"GET", "/admin/api/plugins/{id}/settings", "A plugin's settings form: its schema and values (no secrets)",
         Permission::ManageSettings, [p](AdminCall& call) { return settingsView(*p, call.http.params["id"]); }},
        {"PUT", "/admin/api/plugins/{id}/settings", "Change a plugin's settings: {values}; checked against its schema",
         Permission::ManageSettings, [p](AdminCall& call) { return changeSettings(*p, call); }},
    };
}

}  // namespace kh::admin
