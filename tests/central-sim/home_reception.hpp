// The simulated マイナ在宅受付Web on the control server (loopback, plain HTTP, never part of the
// profile): the page a patient opens from the institution's URL, and the scriptable endpoints behind
// it — consent (identifiers, scopes, treatment kind, examination date, the simulated PIN "1234") and
// withdrawal of every consent at the institution — plus test aids: the URL of an institution, the list
// of consents / withdrawals / reference numbers, and expiring a consent.
#pragma once
#include "control_call.hpp"

namespace ksim {

StoredAnswer homeReceptionPage(const ControlCall& call, SimState& state);       // GET /home-reception/{token}
StoredAnswer homeReceptionConsent(const ControlCall& call, SimState& state);    // POST /sim/home-reception/{token}/consent
StoredAnswer homeReceptionWithdraw(const ControlCall& call, SimState& state);   // POST /sim/home-reception/{token}/withdraw
StoredAnswer homeReceptionUrl(const ControlCall& call, SimState& state);        // GET /sim/home-reception/url?institution=
StoredAnswer listConsents(const ControlCall& call, SimState& state);            // GET /sim/consents
StoredAnswer expireConsent(const ControlCall& call, SimState& state);           // POST /sim/consents/{consentId}/expire

}  // namespace ksim
