// The HTTP route table. A route is declared once with its method, path, summary and access; the router,
// the authentication check and the OpenAPI document are all derived from this table.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/api_clients.hpp"

namespace kh::endpoint {

struct HttpCall {
    std::string method, path, body, remoteAddress;
    std::map<std::string, std::string> params;  // from {name} segments
    std::map<std::string, std::string> query;
    std::map<std::string, std::string> headers;  // lower-case names
    std::optional<store::ApiClient> client;
};

struct HttpReply {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// A JSON answer; headers optional (a cookie, a download's name).
inline HttpReply jsonReply(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return {status, "application/json", std::move(body), std::move(headers)};
}

enum class Access { Public, ApiClient };

struct Route {
    std::string method;
    std::string pattern;  // "/api/v1/eligibility/batches/{id}"
    std::string summary;
    Access access;
    std::function<HttpReply(HttpCall&)> handle;
    // The body carries a PIN: read into one small buffer, never journalled, wiped after the handler.
    bool secretBody = false;
};

// True when `path` fits `pattern`; fills call.params. A parameter never matches "", "." or "..".
bool matchRoute(const Route& route, const std::string& path, std::map<std::string, std::string>& params);

// A path cut at '/', empty segments dropped: what the router compares, segment by segment.
std::vector<std::string> pathSegments(const std::string& path);
// The same match on segments already cut (the server cuts each route's pattern once, at start).
bool matchSegments(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                   std::map<std::string, std::string>& params);
// OpenAPI 3.0 document of the table.
std::string openApiDocument(const std::vector<Route>& routes, const std::string& version);

}  // namespace kh::endpoint
