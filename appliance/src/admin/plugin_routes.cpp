#include "admin/plugin_routes.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <set>
#include <sstream>

#include "crypto/encoding.hpp"
#include "endpoint/json_request.hpp"
#include "model/errors.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using endpoint::jsonReply;
using model::ErrorId;
using model::KakehashiError;
using Poco::JSON::Object;

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
    if (!values) throw KakehashiError(ErrorId::InvalidField, "values: 設定値のオブジェクトを指定してください (an object)");
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

}  // namespace

std::string storedPluginSettings(store::Settings& settings, const store::DataKey& key, const std::string& id) {
    auto stored = settings.get(settingKey(id));
    if (!stored) return "";
    auto sealed = crypto::base64Decode(stored->value);
    if (!sealed) return "";
    return key.open(*sealed, sealPlace(id));
}

std::vector<AdminRoute> pluginRoutes(PluginParts parts) {
    auto p = std::make_shared<PluginParts>(parts);
    auto act = [p](const char* verb, std::string (plugins::PluginRegistry::*op)(const std::string&)) {
        return [p, verb, op](AdminCall& call) {
            const std::string& id = call.http.params["id"];
            std::string problem = (p->registry.*op)(id);
            p->audit.append(call.actor(), std::string("admin.plugin-") + verb, "plugin:" + id, problem.empty() ? "ok" : problem);
            if (!problem.empty()) throw KakehashiError(ErrorId::PluginRefused, problem);
            return jsonReply(200, p->channel.statusJson());
        };
    };
    return {
        {"GET", "/admin/api/plugins", "Adapter plugins: state and, when refused, why", Permission::ManageSettings,
         [p](AdminCall&) { return jsonReply(200, p->channel.statusJson()); }},
        {"POST", "/admin/api/plugins/{id}/enable", "Enable a plugin", Permission::ManageSettings,
         act("enabled", &plugins::PluginRegistry::enable)},
        {"POST", "/admin/api/plugins/{id}/disable", "Disable a plugin", Permission::ManageSettings,
         act("disabled", &plugins::PluginRegistry::disable)},
        {"POST", "/admin/api/plugins/{id}/reload", "Read a plugin again from disk (signature checked)",
         Permission::ManageSettings, act("reloaded", &plugins::PluginRegistry::reload)},
        {"GET", "/admin/api/plugins/{id}/settings", "A plugin's settings form: its schema and values (no secrets)",
         Permission::ManageSettings, [p](AdminCall& call) { return settingsView(*p, call.http.params["id"]); }},
        {"PUT", "/admin/api/plugins/{id}/settings", "Change a plugin's settings: {values}; checked against its schema",
         Permission::ManageSettings, [p](AdminCall& call) { return changeSettings(*p, call); }},
    };
}

}  // namespace kh::admin
