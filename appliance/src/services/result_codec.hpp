// The answers the services make themselves: a per-entry error carrying a code of the shared error table.
// (How inquiries and results are kept in the store is spec/stored_result.hpp.)
#pragma once
#include <string>

#include "model/eligibility.hpp"
#include "model/errors.hpp"

namespace kh::services {

// A per-entry error answer (ProcessingResultStatus 2) carrying a code of the shared error table.
model::EligibilityResult errorResult(const model::EligibilityInquiry& q, model::ErrorId id, const std::string& detail);

}  // namespace kh::services
