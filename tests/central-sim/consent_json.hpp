// A home consent (consents.hpp) as JSON — the answer of the simulated マイナ在宅受付Web's consent
// endpoint, the entries of /sim/consents and the consent an identity verify registers — and the
// patient's choices a consent request carries (scopes, medicalTreatmentFlag, examinationDate), read
// and checked the same way whichever way the patient consents.
#pragma once
#include <string>

#include <Poco/JSON/Object.h>

#include "consents.hpp"
#include "population.hpp"

namespace ksim {

// What is wrong with the choices of a consent request, if anything.
enum class ConsentChoiceProblem { None, Scopes, TreatmentFlag, ExaminationDate, ExaminationDateBeforeToday };

// Reads "scopes" (optional array of "medication", "clinical", "checkup"; absent, null or empty: none),
// "medicalTreatmentFlag" (2 or 3, number or string) and "examinationDate" (a real YYYYMMDD, today or
// later in Japan time) into the consent's scopes, treatmentFlag and examinationDate.
ConsentChoiceProblem readConsentChoice(const Poco::JSON::Object::Ptr& in, Consent& consent);

// {"consentId","institution",identifiers…,"scopes","medicalTreatmentFlag","examinationDate",
//  "consentTime","availableTime","withdrawnAt","withdrawnBy","state"}; state as of `now`.
Poco::JSON::Object::Ptr consentJson(const Consent& consent, const Population& population, const std::string& now);
// "medication+checkup", or "none": the scopes for a log line.
std::string scopeList(const Consent& consent);

}  // namespace ksim
