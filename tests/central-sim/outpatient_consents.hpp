// Outpatient consents (外来: given at the institution's face reader), the consent block a qualification
// result carries and what decides medical information asked for with MedicalTreatmentFlag 1. Some
// persons of the population have one, valid at every institution; tests set others — for one
// institution or for all — through POST /sim/outpatient-consent. What tests set is kept until
// /sim/reset; the population's own blocks never change.
#pragma once
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "consents.hpp"
#include "population.hpp"

namespace ksim {

class OutpatientConsents {
public:
    // Sets the person's block at an institution; institution "" sets it for every institution.
    void set(const std::string& institution, std::size_t person, const ConsentBlock& block);
    // The block a test set for the person at this institution, else the one set for every
    // institution, else nothing.
    std::optional<ConsentBlock> find(const std::string& institution, std::size_t person) const;
    std::size_t size() const;
    void clear();

private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::size_t>, ConsentBlock> blocks_;
};

// The population's own block for the person as of today (Japan time): one in force was given today at
// 00:00:00 and lasts 24 hours; an expired one keeps its fixed times. Nothing when the person has none.
std::optional<ConsentBlock> populationOutpatientConsent(const Person& person, const std::string& today);

// The block in effect for the person at the institution: what a test set, else the population's.
std::optional<ConsentBlock> outpatientConsentFor(const OutpatientConsents& store, const Population& population,
                                                 const std::string& institution, const Person& person);

}  // namespace ksim
