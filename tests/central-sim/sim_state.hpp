// Everything the request handlers share: the options, the population, the institution table, the
// request log, the faults and the batches. Made once in main and outlives the servers.
#pragma once
#include "batches.hpp"
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
};

}  // namespace ksim
