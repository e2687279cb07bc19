// Control endpoints for conformance tests of the gateway: canned answers (a fixture document served for
// a person's checks, canned.hpp) and outpatient consent blocks set per person (outpatient_consents.hpp).
// Plain HTTP JSON on the control server, like every /sim endpoint.
#pragma once
#include "control_call.hpp"

namespace ksim {

StoredAnswer putCanned(const ControlCall& call, SimState& state);                // POST /sim/canned
StoredAnswer listCanned(const ControlCall& call, SimState& state);               // GET /sim/canned
StoredAnswer clearCanned(const ControlCall& call, SimState& state);              // DELETE /sim/canned
StoredAnswer setOutpatientConsent(const ControlCall& call, SimState& state);     // POST /sim/outpatient-consent
StoredAnswer clearOutpatientConsents(const ControlCall& call, SimState& state);  // DELETE /sim/outpatient-consent

}  // namespace ksim
