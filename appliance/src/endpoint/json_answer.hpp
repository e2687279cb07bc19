// The HTTP API's JSON answers: eligibility results, queued tickets, batches (problems: http/problem.hpp).
#pragma once
#include <string>
#include <vector>

#include "base/json_writer.hpp"
#include "endpoint/api_contract.hpp"
#include "model/eligibility.hpp"
#include "model/errors.hpp"
#include "services/batch_service.hpp"
#include "services/eligibility_service.hpp"

namespace kh::endpoint {

std::string encodeAnswer(const services::Answer& a);
// The fields of one answer (status, processingResult, eligibility, …) into an object the caller opened.
void writeResultFields(base::JsonWriter& w, const model::EligibilityResult& r);
std::string encodeQueued(int64_t ticket, const std::string& requestId);
std::string encodeBatch(const services::BatchView& v);

// Their schemas, for the OpenAPI document (api_contract.hpp).
const Schema& eligibilityRecordSchema();
std::string resultProperties();  // what writeResultFields writes, for objects that carry more around it
const Schema& eligibilityResultSchema();  // one entry of a batch
const Schema& eligibilityAnswerSchema();  // encodeAnswer
const Schema& queuedSchema();
const Schema& batchSchema();

}  // namespace kh::endpoint
