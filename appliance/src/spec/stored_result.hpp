// How inquiries and results are kept in the store (the cache, batch entries, consents, the outbound
// queue's answers): small documents with the same element names as the files, so what is kept is exactly
// what the central system said — its answer verbatim when there is one.
#pragma once
#include <string>

#include "model/eligibility.hpp"

namespace kh::spec {

std::string serialiseInquiry(const model::EligibilityInquiry& q);
model::EligibilityInquiry parseInquiry(const std::string& stored);
// <Stored><AnsweredAt/><Unit>…</Unit></Stored>: the received answer's elements, or the fields of a local one.
std::string serialiseResult(const model::EligibilityResult& r);
model::EligibilityResult parseResult(const std::string& stored);  // also reads what earlier releases stored

}  // namespace kh::spec
