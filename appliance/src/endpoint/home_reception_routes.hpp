// Routes of the home-reception pages: the マイナ在宅受付Web URL, its QR code (PNG, SVG) and the A4
// poster. They hold no patient data, so patients' phones and the clinic's website may load them.
#pragma once
#include <vector>

#include "endpoint/routes.hpp"
#include "services/home_reception.hpp"

namespace kh::endpoint {
std::vector<Route> homeReceptionRoutes(services::HomeReceptionService& service);
}  // namespace kh::endpoint
