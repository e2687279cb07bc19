#include "endpoint/routes.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cctype>
#include <sstream>

namespace kh::endpoint {
using http::isParameter;
using http::pathSegments;

std::string openApiDocument(const std::vector<Route>& routes, const std::string& version) {
    using Poco::JSON::Array;
    using Poco::JSON::Object;
    Object::Ptr doc = new Object(true);
    doc->set("openapi", std::string("3.0.3"));
    Object::Ptr info = new Object(true);
    info->set("title", std::string("Kakehashi API"));
    info->set("version", version);
    doc->set("info", info);
    Object::Ptr schemes = new Object(true);
    Object::Ptr bearer = new Object(true);
    bearer->set("type", std::string("http"));
    bearer->set("scheme", std::string("bearer"));
    schemes->set("clientToken", bearer);
    Object::Ptr components = new Object(true);
    components->set("securitySchemes", schemes);
    doc->set("components", components);
    Object::Ptr paths = new Object(true);
    for (const auto& r : routes) {
        Object::Ptr item = paths->has(r.pattern) ? paths->getObject(r.pattern) : Object::Ptr(new Object(true));
        Object::Ptr op = new Object(true);
        op->set("summary", r.summary);
        Array::Ptr parameters = new Array;
        for (const auto& seg : pathSegments(r.pattern)) {
            if (!isParameter(seg)) continue;
            Object::Ptr p = new Object(true);
            p->set("name", seg.substr(1, seg.size() - 2));
            p->set("in", std::string("path"));
            p->set("required", true);
            parameters->add(p);
        }
        if (parameters->size()) op->set("parameters", parameters);
        if (r.access == Access::ApiClient) {
            Array::Ptr security = new Array;
            Object::Ptr req = new Object(true);
            req->set("clientToken", Array::Ptr(new Array));
            security->add(req);
            op->set("security", security);
        }
        Object::Ptr responses = new Object(true);
        Object::Ptr ok = new Object(true);
        ok->set("description", std::string("success; errors are application/problem+json"));
        responses->set("200", ok);
        op->set("responses", responses);
        std::string method = r.method;
        for (auto& c : method) c = char(std::tolower(c));
        item->set(method, op);
        paths->set(r.pattern, item);
    }
    doc->set("paths", paths);
    std::ostringstream ss;
    doc->stringify(ss);
    return ss.str();
}

}  // namespace kh::endpoint
