// How the services keep inquiries and results in the store: as small spec-XML fragments (the same
// element names as the files), so what is cached is exactly what the central system said.
#pragma once
#include <string>

#include "model/eligibility.hpp"
#include "model/errors.hpp"

namespace kh::services {

std::string serialiseInquiry(const model::EligibilityInquiry& q);
model::EligibilityInquiry parseInquiry(const std::string& stored);
std::string serialiseResult(const model::EligibilityResult& r);
model::EligibilityResult parseResult(const std::string& stored);

// A per-entry error answer (ProcessingResultStatus 2) carrying a code of the shared error table.
model::EligibilityResult errorResult(const model::EligibilityInquiry& q, model::ErrorId id, const std::string& detail);

}  // namespace kh::services
