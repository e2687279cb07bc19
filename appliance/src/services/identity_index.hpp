// The blind index of an insured person: the same HMAC over the same normalised identifiers wherever a
// patient is looked up (eligibility cache, consented patients, medical information).
#pragma once
#include <string>

#include "model/eligibility.hpp"
#include "store/data_key.hpp"

namespace kh::services {
std::string identityIndex(const store::DataKey& key, const model::InsuredIdentity& insured);
}  // namespace kh::services
