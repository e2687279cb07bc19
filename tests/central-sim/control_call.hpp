// One request to the control server as its handlers see it, and the handler type of its route table
// (control_handlers.cpp). Patterns may hold {name} segments, captured into params in order.
#pragma once
#include <string>
#include <vector>

#include <Poco/Net/HTTPServerRequest.h>

#include "request_log.hpp"
#include "sim_state.hpp"

namespace ksim {

struct ControlCall {
    Poco::Net::HTTPServerRequest& request;
    std::string body;
    std::vector<std::string> params;
};

using ControlHandler = StoredAnswer (*)(const ControlCall& call, SimState& state);

}  // namespace ksim
