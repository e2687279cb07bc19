// The pipeline every API request goes through before its endpoint: body (≤ 64 MiB), X-Request-Id,
// institution from the client certificate, the request log, faults, idempotent replay, then the
// route table of api_handlers; one log line per request.
#pragma once
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "sim_state.hpp"

namespace ksim {

Poco::Net::HTTPRequestHandlerFactory::Ptr makeApiHandlerFactory(SimState& state);

}  // namespace ksim
