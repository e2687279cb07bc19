// The endpoints of profile v1 and their route table: the qualification check, batch upload and batch
// result are implemented; the other endpoints of the profile are listed (so the table documents the
// whole profile) and answer 404 SIM-4042 until they are. Handlers get a request that already passed
// mTLS, X-Request-Id, faults and idempotency (api_server.cpp).
#pragma once
#include <string>
#include <vector>

#include "request_log.hpp"
#include "sim_errors.hpp"
#include "sim_state.hpp"
#include "xml_messages.hpp"

namespace ksim {

struct ApiCall {
    std::string method, path, requestId;
    std::string institution;  // from the client certificate; empty when it names none
    std::string body;
    std::vector<std::string> params;  // the {…} segments of the route pattern
};

using ApiHandler = StoredAnswer (*)(const ApiCall& call, SimState& state);

struct ApiRoute {
    const char* method;
    const char* pattern;
    const char* summary;
    bool safe;         // GET: evaluated afresh on every arrival, never replayed
    bool implemented;
    ApiHandler handle;
};

const std::vector<ApiRoute>& apiRoutes();

// An error document answer (SegmentOfResult 9); message empty = the table's default.
StoredAnswer errorAnswer(SimError error, const AnswerHeader& header = {}, const std::string& message = "");

}  // namespace ksim
