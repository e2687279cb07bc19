// Everything the request handlers share: the options, the population, the institution table, the
// request log, the faults, the batches, the home-consent store, the outpatient consents tests set, the
// canned answers, the JPKI CA and the identity challenges.
// Made once in main and outlives the servers.
#pragma once
#include <string>

#include "batches.hpp"
#include "canned.hpp"
#include "consents.hpp"
#include "faults.hpp"
#include "identity_challenges.hpp"
#include "institutions.hpp"
#include "jpki.hpp"
#include "options.hpp"
#include "outpatient_consents.hpp"
#include "population.hpp"
#include "request_log.hpp"

namespace ksim {

struct SimState {
    SimState(const Options& o, Population p, InstitutionMap m)
        : options(o), population(std::move(p)), institutions(std::move(m)), jpki(o.jpkiCa), faults(o.seed) {}

    const Options options;
    const Population population;
    const InstitutionMap institutions;
    const JpkiAuthority jpki;  // throws from the constructor when --jpki-ca cannot be read
    RequestLog requests;
    Faults faults;
    Batches batches;
    ConsentStore consents;
    OutpatientConsents outpatientConsents;
    CannedAnswers canned;
    ChallengeStore challenges;
    // "http://127.0.0.1:18444": the control server, where the home-reception pages live. Set in main
    // once the control socket is bound, before any server starts.
    std::string controlBaseUrl;
};

}  // namespace ksim
