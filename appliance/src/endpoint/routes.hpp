// The LAN API's route table. A route is declared once with its method, path, summary, access, body
// limit and contract (api_contract.hpp); the listener's access check (api_listener), the journal and the
// OpenAPI document are all derived from this table. Requests and replies are the shared HTTP layer's (http/message.hpp).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "endpoint/api_contract.hpp"
#include "http/message.hpp"
#include "http/problem.hpp"
#include "http/route.hpp"

namespace kh::endpoint {

using HttpCall = http::Request;
using HttpReply = http::Reply;
using http::jsonReply;
using http::problemReply;

// Public: anyone; ApiClient: an API client's bearer token; Staff: the same, or a staff member signed in on
// the staff page (endpoint/staff_sign_in).
enum class Access { Public, ApiClient, Staff };
// The cookie of a staff member's session on the staff page.
constexpr const char* kStaffSessionCookie = "kakehashi_staff";

struct Route {
    std::string method;
    std::string pattern;  // "/api/v1/eligibility/batches/{id}"
    std::string summary;
    Access access;
    std::function<HttpReply(HttpCall&)> handle;
    // The body carries a PIN: read into one small buffer, never journalled, wiped after the handler.
    bool secretBody = false;
    size_t bodyLimit = http::kSmallBody;
    // Set instead of `handle` for an answer that may come later (a long poll): no thread waits for it.
    std::function<http::LongPoll(HttpCall&)> longPoll = nullptr;
    // What the route takes and gives, for the OpenAPI document.
    ApiContract api = {};

    Route with(ApiContract contract) && {
        api = std::move(contract);
        return std::move(*this);
    }
};

// The API client the access check let in ("" for public routes).
inline std::string clientOf(const HttpCall& call) { return call.caller.compare(0, 4, "api:") == 0 ? call.caller.substr(4) : ""; }

// OpenAPI 3.0 document of the table: every operation with its parameters, bodies, answers and problems.
// Throws std::logic_error when two schemas share a name but differ (a programming error).
std::string openApiDocument(const std::vector<Route>& routes, const std::string& version);

}  // namespace kh::endpoint
