#include "endpoint/routes.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <stdexcept>

namespace kh::endpoint {
using http::isParameter;
using http::pathSegments;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Object::Ptr parsed(const std::string& json, const std::string& what) {
    try {
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));  // keep the declared order of members
        return parser.parse(json).extract<Object::Ptr>();
    } catch (const std::exception& e) {
        throw std::logic_error("schema of " + what + " is not a JSON object: " + e.what());
    }
}

Object::Ptr text(const std::string& key, const std::string& value) {
    Object::Ptr o = new Object(true);
    o->set(key, value);
    return o;
}

// components/schemas: every named schema a route refers to, with the ones those refer to.
class Components {
public:
    // The schema as used in place: a $ref for a named one.
    Object::Ptr use(const Schema& s) {
        if (s.name.empty()) return parsed(s.json, "an inline schema");
        add(s);
        return text("$ref", "#/components/schemas/" + s.name);
    }
    Object::Ptr object() const {
        Object::Ptr o = new Object(true);
        for (const auto& [name, schema] : schemas_) o->set(name, parsed(schema->json, name));
        return o;
    }

private:
    void add(const Schema& s) {
        auto [it, fresh] = schemas_.emplace(s.name, &s);
        if (!fresh) {
            if (it->second->json != s.json) throw std::logic_error("two schemas are named " + s.name);
            return;
        }
        for (const auto* used : s.uses) add(*used);
    }
    std::map<std::string, const Schema*> schemas_;  // sorted by name, so the document is stable
};

Object::Ptr content(Components& components, const Schema& schema, const std::vector<std::string>& mediaTypes) {
    Object::Ptr c = new Object(true);
    for (const auto& type : mediaTypes) {
        Object::Ptr media = new Object(true);
        media->set("schema", components.use(schema));
        c->set(type, media);
    }
    return c;
}

Object::Ptr parameter(const ApiParameter& p) {
    Object::Ptr o = new Object(true);
    o->set("name", p.name);
    o->set("in", p.in);
    if (!p.description.empty()) o->set("description", p.description);
    o->set("required", p.required);
    o->set("schema", parsed(p.schema, "parameter " + p.name));
    return o;
}

// Path parameters in the order of the path, with their declared schema; then query and header ones.
Array::Ptr parametersOf(const Route& r) {
    Array::Ptr out = new Array;
    for (const auto& seg : pathSegments(r.pattern)) {
        if (!isParameter(seg)) continue;
        std::string name = seg.substr(1, seg.size() - 2);
        ApiParameter p{name, "path", "", R"({"type":"string","minLength":1})", true};
        for (const auto& declared : r.api.parameters)
            if (declared.in == "path" && declared.name == name) p = declared;
        out->add(parameter(p));
    }
    for (const auto& p : r.api.parameters)
        if (p.in != "path") out->add(parameter(p));
    return out;
}

// The problems of a route by status: one response per status, its description naming every problem
// type it may carry with the Japanese title staff will see.
Object::Ptr problemResponses(Components& components, const Route& r) {
    std::vector<model::ErrorId> ids;
    if (r.access != Access::Public) ids = {model::ErrorId::Unauthorized, model::ErrorId::Forbidden};
    if (r.api.body) ids.push_back(model::ErrorId::TooLarge);
    ids.insert(ids.end(), r.api.problems.begin(), r.api.problems.end());
    std::map<int, std::vector<const model::ErrorInfo*>> byStatus;
    for (auto id : ids) {
        auto& list = byStatus[model::errorInfo(id).httpStatus];
        const auto* info = &model::errorInfo(id);
        bool seen = false;
        for (const auto* e : list) seen |= e == info;
        if (!seen) list.push_back(info);
    }
    Object::Ptr out = new Object(true);
    for (const auto& [status, infos] : byStatus) {
        std::string description;
        for (const auto* e : infos)
            description += std::string(description.empty() ? "" : "; ") + e->title + " (" + e->name + ", " + e->code + ")";
        Object::Ptr response = new Object(true);
        response->set("description", description);
        response->set("content", content(components, r.api.problemBody ? *r.api.problemBody : problemSchema(),
                                         {"application/problem+json"}));
        out->set(std::to_string(status), response);
    }
    return out;
}

Object::Ptr responsesOf(Components& components, const Route& r) {
    Object::Ptr out = new Object(true);
    // Answers of one status with several media types (medical information: XML or PDF) share a response.
    for (const auto& a : r.api.answers) {
        std::string status = std::to_string(a.status);
        Object::Ptr response = out->has(status) ? out->getObject(status) : Object::Ptr(new Object(true));
        if (!response->has("description")) response->set("description", a.description);
        Object::Ptr c = response->has("content") ? response->getObject("content") : Object::Ptr(new Object(true));
        auto more = content(components, *a.schema, a.mediaTypes);
        for (const auto& [type, media] : *more) c->set(type, media);
        response->set("content", c);
        if (!a.headers.empty()) {
            Object::Ptr headers = new Object(true);
            for (const auto& [name, description] : a.headers) {
                Object::Ptr h = new Object(true);
                h->set("description", description);
                h->set("schema", text("type", "string"));
                headers->set(name, h);
            }
            response->set("headers", headers);
        }
        out->set(status, response);
    }
    auto problems = problemResponses(components, r);
    for (const auto& [status, response] : *problems) out->set(status, response);
    // Whatever any route may meet besides: a malformed request, too many requests, an internal error.
    Object::Ptr other = new Object(true);
    other->set("description", "その他のエラー (any other refusal: 400 malformed-request, 429 too-many-requests, 500 internal, …)");
    other->set("content", content(components, problemSchema(), {"application/problem+json"}));
    out->set("default", other);
    return out;
}

Object::Ptr info(const std::string& version) {
    Object::Ptr o = new Object(true);
    o->set("title", std::string("Kakehashi API"));
    o->set("version", version);
    o->set("description",
           std::string("オンライン資格確認の院内ゲートウェイ Kakehashi のLAN API。レセコン等から資格確認・一括照会・照会番号登録などを行います。"
                       "認証は API クライアントのトークン（Authorization: Bearer）、エラーは application/problem+json です。 "
                       "(The LAN API of the Kakehashi on-premises gateway: bearer tokens of API clients, errors as "
                       "application/problem+json whose title is Japanese text for staff.)"));
    return o;
}

Array::Ptr servers() {
    Array::Ptr out = new Array;
    // The document is served by the box itself, so the first server is wherever it was fetched from.
    Object::Ptr self = new Object(true);
    self->set("url", std::string("/"));
    self->set("description", std::string("この文書を返した本機 (the box that served this document)"));
    out->add(self);
    Object::Ptr lan = new Object(true);
    lan->set("url", std::string("https://{host}:{port}"));
    lan->set("description", std::string("院内LANの本機（HTTPS） (the box on the clinic LAN)"));
    Object::Ptr variables = new Object(true);
    Object::Ptr host = text("default", "kakehashi.local");
    host->set("description", std::string("本機のホスト名またはIPアドレス (the box's name or address)"));
    variables->set("host", host);
    Object::Ptr port = text("default", "8443");
    port->set("description", std::string("設定 http.listen のポート (the port of http.listen)"));
    variables->set("port", port);
    lan->set("variables", variables);
    out->add(lan);
    return out;
}

}  // namespace

std::string openApiDocument(const std::vector<Route>& routes, const std::string& version) {
    Components components;
    Object::Ptr doc = new Object(true);
    doc->set("openapi", std::string("3.0.3"));
    doc->set("info", info(version));
    doc->set("servers", servers());
    // Every operation needs a client token unless it says otherwise (security: [] on the public ones).
    Array::Ptr security = new Array;
    Object::Ptr token = new Object(true);
    token->set("clientToken", Array::Ptr(new Array));
    security->add(token);
    doc->set("security", security);
    Object::Ptr paths = new Object(true);
    std::vector<std::string> tags;
    for (const auto& r : routes) {
        Object::Ptr item = paths->has(r.pattern) ? paths->getObject(r.pattern) : Object::Ptr(new Object(true));
        Object::Ptr op = new Object(true);
        if (!r.api.tag.empty()) {
            Array::Ptr t = new Array;
            t->add(r.api.tag);
            op->set("tags", t);
            if (std::find(tags.begin(), tags.end(), r.api.tag) == tags.end()) tags.push_back(r.api.tag);
        }
        op->set("summary", r.summary);
        if (!r.api.operationId.empty()) op->set("operationId", r.api.operationId);
        auto parameters = parametersOf(r);
        if (parameters->size()) op->set("parameters", parameters);
        if (r.api.body) {
            Object::Ptr body = new Object(true);
            body->set("required", true);
            body->set("content", content(components, *r.api.body, r.api.bodyMediaTypes));
            op->set("requestBody", body);
        }
        op->set("responses", responsesOf(components, r));
        if (r.access == Access::Public) op->set("security", Array::Ptr(new Array));
        if (r.access == Access::Staff) {  // either of the two
            Array::Ptr either = new Array;
            either->add(token);
            Object::Ptr staff = new Object(true);
            staff->set("staffSession", Array::Ptr(new Array));
            either->add(staff);
            op->set("security", either);
        }
        std::string method = r.method;
        for (auto& c : method) c = char(std::tolower(static_cast<unsigned char>(c)));
        item->set(method, op);
        paths->set(r.pattern, item);
    }
    Array::Ptr tagList = new Array;
    for (const auto& t : tags) tagList->add(text("name", t));
    if (tagList->size()) doc->set("tags", tagList);
    doc->set("paths", paths);
    Object::Ptr schemes = new Object(true);
    Object::Ptr bearer = new Object(true);
    bearer->set("type", std::string("http"));
    bearer->set("scheme", std::string("bearer"));
    bearer->set("description", std::string("APIクライアントのトークン（kakehashi api-client add で発行） (an API client's token)"));
    schemes->set("clientToken", bearer);
    Object::Ptr staffCookie = new Object(true);
    staffCookie->set("type", std::string("apiKey"));
    staffCookie->set("in", std::string("cookie"));
    staffCookie->set("name", std::string(kStaffSessionCookie));
    staffCookie->set("description", std::string("職員画面でサインインした職員のセッション（POST /api/v1/staff/sign-in）。"
                                                "GET 以外は X-CSRF-Token に、サインインで受け取った csrfToken を付けます"));
    schemes->set("staffSession", staffCookie);
    Object::Ptr componentsObject = new Object(true);
    componentsObject->set("schemas", components.object());
    componentsObject->set("securitySchemes", schemes);
    doc->set("components", componentsObject);
    std::ostringstream ss;
    doc->stringify(ss);
    return ss.str();
}

}  // namespace kh::endpoint
