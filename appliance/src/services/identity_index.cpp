#include "services/identity_index.hpp"

namespace kh::services {

std::string identityIndex(const store::DataKey& key, const model::InsuredIdentity& p) {
    using model::normalisedIdentifier;
    return key.blindIndex({normalisedIdentifier(p.insurerNumber), normalisedIdentifier(p.cardSymbol),
                           normalisedIdentifier(p.cardNumber), normalisedIdentifier(p.branchNumber), p.birthDate});
}

// A part of its own up front, so no card index can equal an identity index.
std::string cardIndex(const store::DataKey& key, const model::InsuredIdentity& p) {
    using model::normalisedIdentifier;
    return key.blindIndex({"card", normalisedIdentifier(p.insurerNumber), normalisedIdentifier(p.cardSymbol),
                           normalisedIdentifier(p.cardNumber), normalisedIdentifier(p.branchNumber)});
}

}  // namespace kh::services
