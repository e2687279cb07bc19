// Routes for planned visits: register them (with consent-window flags), list a day's visits with their
// answers, and prepare a day's batch now.
#pragma once
#include <vector>

#include "endpoint/routes.hpp"
#include "services/visit_service.hpp"

namespace kh::endpoint {
std::vector<Route> visitRoutes(services::VisitService& service);
}  // namespace kh::endpoint
