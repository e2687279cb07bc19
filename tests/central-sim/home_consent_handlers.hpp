// The /v1 endpoints of 居宅同意取得型 (home consent): the institution's home-reception URL, the
// consented patients' qualifications (OQSmuhvq01 / OQSmuonq01, answered through the batch result),
// reference numbers (OQSsiimm01 / OQSmuimm01), medical information under consent (YZKsiquc01,
// TKKsiquc01, clinical), and consent withdrawals (the facility's, and the list of all withdrawals).
#pragma once
#include <Poco/JSON/Object.h>

#include "api_handlers.hpp"

namespace ksim {

StoredAnswer handleHomeConsentUrl(const ApiCall& call, SimState& state);
StoredAnswer handleHomeConsentQualifications(const ApiCall& call, SimState& state);
StoredAnswer handleReferenceNumbers(const ApiCall& call, SimState& state);
StoredAnswer handleMedicalInfo(const ApiCall& call, SimState& state);
StoredAnswer handleWithdrawalByFacility(const ApiCall& call, SimState& state);
StoredAnswer handleWithdrawalList(const ApiCall& call, SimState& state);

// {"withdrawalId","insurerNumber",…,"withdrawnAt","by","consentIds"} — shared with /sim/consents.
Poco::JSON::Object::Ptr withdrawalJson(const Withdrawal& w, const Population& population);

}  // namespace ksim
