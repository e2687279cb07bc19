// One HTTP exchange as every handler sees it, whichever listener it came through (the LAN API, the staff
// page, the web admin): the request with its route parameters and what the access check learned about
// the caller, and the reply.
#pragma once
#include <any>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kh::http {

struct Request {
    std::string method, path, body, remoteAddress;
    std::map<std::string, std::string> params;   // from {name} segments of the route
    std::map<std::string, std::string> query;    // decoded
    std::map<std::string, std::string> headers;  // lower-case names
    std::string caller;  // who the access check let in ("api:<client>", an administrator's name); "" when public
    std::any context;    // what the access check learned about the caller, for the handler (an admin session)

    std::string header(const std::string& lowerCaseName) const;
    std::string cookie(const std::string& name) const;  // "" when absent
};

struct Reply {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie may repeat
};

// A JSON answer; headers optional (a cookie, a download's name).
inline Reply jsonReply(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return {status, "application/json", std::move(body), std::move(headers)};
}

}  // namespace kh::http
