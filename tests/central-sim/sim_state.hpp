// Everything the request handlers share: the options, the population, the institution table, the
// request log, the faults, the batches and the home-consent store. Made once in main and outlives the
// servers.
#pragma once
#include <string>

#include "batches.hpp"
#include "consents.hpp"
#include "faults.hpp"
#include "institutions.hpp"
#include "options.hpp"
#include "population.hpp"
#include "request_log.hpp"

namespace ksim {

struct SimState {
    SimState(const Options& o, Population p, InstitutionMap m)
        : options(o), population(std::move(p)), institutions(std::move(m)), faults(o.seed) {}

    const Options options;
    const Population population;
    const InstitutionMap institutions;
    RequestLog requests;
    Faults faults;
    Batches batches;
    ConsentStore consents;
    // "http://127.0.0.1:18444": the control server, where the home-reception pages live. Set in main
    // once the control socket is bound, before any server starts.
    std::string controlBaseUrl;
};

}  // namespace ksim
