// The LAN HTTP API: eligibility inquiries and batches for receipt computers, health and metrics.
// Builds the route table; the listener (api_listener) authenticates, journals and dispatches by it.
#pragma once
#include <string>
#include <vector>

#include "endpoint/metrics.hpp"
#include "endpoint/plugin_channel.hpp"
#include "endpoint/routes.hpp"
#include "endpoint/staff_sign_in.hpp"
#include "services/batch_service.hpp"
#include "services/card_check_service.hpp"
#include "services/home_consent_service.hpp"
#include "services/home_reception.hpp"
#include "services/visit_service.hpp"
#include "services/eligibility_service.hpp"
#include "services/reference_number_service.hpp"
#include "store/journal.hpp"

namespace kh::endpoint {

struct HttpApiParts {
    services::EligibilityService& eligibility;
    services::BatchService& batches;
    store::Journal& journal;
    Metrics& metrics;
    std::function<bool()> ready;  // store open, workers running
    std::string version;
    PluginChannel* plugins = nullptr;  // vendor adapter routes, when plugins are configured
    services::HomeReceptionService* homeReception = nullptr;
    services::HomeConsentService* homeConsent = nullptr;
    services::VisitService* visits = nullptr;
    services::ReferenceNumberService* referenceNumbers = nullptr;  // 照会番号登録 routes
    services::CardCheckService* cardChecks = nullptr;  // readers and card checks on home visits
    StaffAccess* staff = nullptr;  // staff sign-in for the staff page (with cardChecks)
};

std::vector<Route> buildApiRoutes(HttpApiParts parts);

}  // namespace kh::endpoint
