#include "http/static_files.hpp"

#include <cctype>

#include "base/files.hpp"
#include "http/problem.hpp"

namespace kh::http {

const char* const kPagePolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

namespace {
constexpr size_t kMaxPageBytes = 4u * 1024 * 1024;

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

Reply serveFile(const std::string& dir, const std::string& name) {
    const char* type = contentTypeOf(name);
    if (!plainName(name) || !type) return problemReply(model::ErrorId::NotFound);
    auto body = base::tryReadFile(dir + "/" + name, kMaxPageBytes);
    if (!body) return problemReply(model::ErrorId::NotFound);
    return {200, type, std::move(*body),
            {{"Content-Security-Policy", kPagePolicy}, {"X-Frame-Options", "DENY"}, {"Referrer-Policy", "no-referrer"}}};
}

Route page(std::string pattern, std::function<Reply(Request&)> handle) {
    Route r;
    r.method = "GET";
    r.pattern = std::move(pattern);
    r.handle = std::move(handle);
    r.inline_ = true;
    return r;
}
}  // namespace

std::vector<Route> staticPageRoutes(const std::string& root, const std::vector<PageFolder>& folders) {
    std::vector<Route> routes;
    for (const auto& f : folders) {
        std::string dir = root + "/" + f.name, index = f.index;
        if (!index.empty()) routes.push_back(page("/" + f.name, [dir, index](Request&) { return serveFile(dir, index); }));
        routes.push_back(page("/" + f.name + "/{file}", [dir](Request& call) { return serveFile(dir, call.params["file"]); }));
    }
    routes.push_back(page("/i18n/{file}", [root](Request& call) { return serveFile(root + "/i18n", call.params["file"]); }));
    return routes;
}

}  // namespace kh::http
