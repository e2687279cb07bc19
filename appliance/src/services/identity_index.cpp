#include "services/identity_index.hpp"

namespace kh::services {

std::string identityIndex(const store::DataKey& key, const model::InsuredIdentity& p) {
    using model::normalisedIdentifier;
    return key.blindIndex({normalisedIdentifier(p.insurerNumber), normalisedIdentifier(p.cardSymbol),
                           normalisedIdentifier(p.cardNumber), normalisedIdentifier(p.branchNumber), p.birthDate});
}

}  // namespace kh::services
