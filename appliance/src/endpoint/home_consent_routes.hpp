// Routes of 居宅同意取得型 for receipt computers: the consented patients (by consent date), a refresh on
// demand, and medical information (薬剤・診療・特定健診等情報) served only within a consent's window.
#pragma once
#include <vector>

#include "endpoint/routes.hpp"
#include "services/home_consent_service.hpp"

namespace kh::endpoint {
std::vector<Route> homeConsentRoutes(services::HomeConsentService& service);
}  // namespace kh::endpoint
