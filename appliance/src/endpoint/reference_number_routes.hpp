// Routes of 照会番号登録 (reference-number registration) for receipt computers: register entries as JSON or
// import a CSV file (all-or-nothing parse first), answered entry by entry, or queued under a ticket.
#pragma once
#include <vector>

#include "endpoint/routes.hpp"
#include "services/reference_number_service.hpp"

namespace kh::endpoint {
std::vector<Route> referenceNumberRoutes(services::ReferenceNumberService& service);
}  // namespace kh::endpoint
