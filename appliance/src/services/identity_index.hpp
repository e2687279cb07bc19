// The blind indexes of an insured person: the same HMAC over the same normalised identifiers wherever a
// patient is looked up. identityIndex (with the birth date) keys the eligibility cache and visits, as a
// qualification check carries the birth date; cardIndex (the card's keys alone: 保険者番号, 記号, 番号,
// 枝番 — with the 枝番 they name one person) keys consents and medical information, whose requests carry
// no birth date (YZK/TKK files).
#pragma once
#include <string>

#include "model/eligibility.hpp"
#include "store/data_key.hpp"

namespace kh::services {
std::string identityIndex(const store::DataKey& key, const model::InsuredIdentity& insured);
std::string cardIndex(const store::DataKey& key, const model::InsuredIdentity& insured);
}  // namespace kh::services
