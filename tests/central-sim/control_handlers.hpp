// The simulator-only control API (plain HTTP, JSON, bound to loopback): health, the population for
// tests to pick persons from, the request log, faults and reset, the simulated マイナ在宅受付Web
// (home_reception.cpp) and the identity test aids (identity_handlers.cpp). Never part of the profile itself.
#pragma once
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "sim_state.hpp"

namespace ksim {

Poco::Net::HTTPRequestHandlerFactory::Ptr makeControlHandlerFactory(SimState& state);

}  // namespace ksim
