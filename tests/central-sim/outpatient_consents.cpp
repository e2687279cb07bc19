#include "outpatient_consents.hpp"

#include "japan_time.hpp"

namespace ksim {

void OutpatientConsents::set(const std::string& institution, std::size_t person, const ConsentBlock& block) {
    std::lock_guard<std::mutex> lock(mutex_);
    blocks_[{institution, person}] = block;
}

std::optional<ConsentBlock> OutpatientConsents::find(const std::string& institution, std::size_t person) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = blocks_.find({institution, person});
    if (it == blocks_.end()) it = blocks_.find({std::string(), person});
    if (it == blocks_.end()) return std::nullopt;
    return it->second;
}

std::size_t OutpatientConsents::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return blocks_.size();
}

void OutpatientConsents::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    blocks_.clear();
}

std::optional<ConsentBlock> populationOutpatientConsent(const Person& p, const std::string& today) {
    if (!p.outpatient) return std::nullopt;
    const OutpatientConsentSeed& seed = *p.outpatient;
    ConsentBlock block{seed.medication, seed.clinical, seed.checkup, seed.consTime, seed.availableTime, ""};
    if (!seed.expired) {
        block.consTime = today + "000000";
        block.availableTime = shiftedTimestamp(block.consTime, 24L * 3600);
    }
    return block;
}

std::optional<ConsentBlock> outpatientConsentFor(const OutpatientConsents& store, const Population& population,
                                                 const std::string& institution, const Person& person) {
    if (auto block = store.find(institution, population.indexOf(person))) return block;
    return populationOutpatientConsent(person, jstDateNow());
}

}  // namespace ksim
