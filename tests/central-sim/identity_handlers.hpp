// The identity endpoints of profile v1: a card check on a home visit (居宅同意取得型, the mobile-app
// flow). POST /v1/identity/challenge hands out a nonce; POST /v1/identity/verify takes the My Number
// card's user-auth certificate with the card's signature over the nonce (JPKI), or the certificate and
// the staff member who checked the card by sight (目視確認), links the certificate's serial to one
// synthetic insured person, answers that person's qualification and, when asked, registers a home
// consent (the card check replaces the PIN of the マイナ在宅受付Web). Also the control-side test aids:
// the holder of a serial and the list of processed verifies.
#pragma once
#include <cstdint>

#include "api_handlers.hpp"
#include "control_call.hpp"

namespace ksim {

StoredAnswer handleIdentityChallenge(const ApiCall& call, SimState& state);  // POST /v1/identity/challenge
StoredAnswer handleIdentityVerify(const ApiCall& call, SimState& state);     // POST /v1/identity/verify

StoredAnswer identityHolder(const ControlCall& call, SimState& state);         // GET /sim/identity/holder?serial=HEX
StoredAnswer identityVerifications(const ControlCall& call, SimState& state);  // GET /sim/identity/verifications
StoredAnswer identityReplayNext(const ControlCall& call, SimState& state);     // POST /sim/identity/replay-next-challenge

// The person a certificate serial stands for: of the registered, valid persons (validity 1) in
// population order, the one at index serial mod their count; nullptr when there is none.
const Person* holderOf(const Population& population, std::uint64_t serialLow64);

}  // namespace ksim
