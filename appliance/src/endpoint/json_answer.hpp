// The HTTP API's JSON answers: eligibility results, queued tickets, batches, and problem details.
#pragma once
#include <string>
#include <vector>

#include "model/eligibility.hpp"
#include "model/errors.hpp"
#include "services/batch_service.hpp"
#include "services/eligibility_service.hpp"

namespace kh::endpoint {

std::string encodeAnswer(const services::Answer& a);
class JsonWriter;
// The fields of one answer (status, processingResult, eligibility, …) into an object the caller opened.
void writeResultFields(JsonWriter& w, const model::EligibilityResult& r);
std::string encodeQueued(int64_t ticket, const std::string& requestId);
std::string encodeBatch(const services::BatchView& v);

// application/problem+json for one error of the shared table (fieldErrors optional).
std::string encodeProblem(model::ErrorId id, const std::string& detail,
                          const std::vector<model::FieldError>& fieldErrors = {});

}  // namespace kh::endpoint
