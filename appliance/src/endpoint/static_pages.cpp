#include "endpoint/static_pages.hpp"

#include <fstream>
#include <sstream>

#include "endpoint/http_api.hpp"

namespace kh::endpoint {
namespace {

const char* contentTypeOf(const std::string& name) {
    auto dot = name.rfind('.');
    std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=UTF-8";
    if (ext == "js") return "text/javascript; charset=UTF-8";
    if (ext == "css") return "text/css; charset=UTF-8";
    if (ext == "json") return "application/json; charset=UTF-8";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    return nullptr;  // anything else is not served
}

bool plainName(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '.') return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
    return true;
}

HttpReply serveFile(const std::string& dir, const std::string& name) {
    const char* type = contentTypeOf(name);
    std::ifstream in(dir + "/" + name, std::ios::binary);
    if (!plainName(name) || !type || !in) return problemReply(model::ErrorId::NotFound, "");
    std::ostringstream body;
    body << in.rdbuf();
    return {200, type, body.str(),
            {{"Content-Security-Policy",
              "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
              "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
             {"X-Frame-Options", "DENY"},
             {"Referrer-Policy", "no-referrer"}}};
}

}  // namespace

std::vector<Route> staticPageRoutes(const std::string& root, const std::vector<PageFolder>& folders) {
    std::vector<Route> routes;
    for (const auto& f : folders) {
        std::string dir = root + "/" + f.name, index = f.index;
        routes.push_back({"GET", "/" + f.name, "The " + f.name + " pages", Access::Public,
                          [dir, index](HttpCall&) { return serveFile(dir, index); }});
        routes.push_back({"GET", "/" + f.name + "/{file}", "Files of the " + f.name + " pages", Access::Public,
                          [dir](HttpCall& call) { return serveFile(dir, call.params["file"]); }});
    }
    routes.push_back({"GET", "/i18n/{file}", "UI text tables (ja first, en)", Access::Public,
                      [root](HttpCall& call) { return serveFile(root + "/i18n", call.params["file"]); }});
    return routes;
}

}  // namespace kh::endpoint
