#include "population.hpp"

#include "codes.hpp"

namespace ksim {

const char* kindName(InsuranceKind kind) {
    switch (kind) {
        case InsuranceKind::Shaho: return "shaho";
        case InsuranceKind::Kokuho: return "kokuho";
        case InsuranceKind::Koki: return "koki";
        case InsuranceKind::Kohi: return "kohi";
    }
    return "shaho";
}

static std::string indexKey(const std::string& insurer, const std::string& number, const std::string& birth) {
    return foldedIdentifier(insurer) + '|' + foldedIdentifier(number) + '|' + trimmed(birth);
}

void Population::buildIndex() {
    index_.clear();
    index_.reserve(persons_.size());
    for (std::size_t i = 0; i < persons_.size(); ++i) {
        const Person& p = persons_[i];
        if (p.validity == '4') continue;
        index_.emplace(indexKey(insurers_[p.insurer].number, p.cardNumber, p.birthDate), i);
    }
}

std::vector<const Person*> Population::find(const SearchKey& key) const {
    std::vector<const Person*> found;
    auto range = index_.equal_range(indexKey(key.insurerNumber, key.cardNumber, key.birthDate));
    std::string symbol = foldedIdentifier(key.cardSymbol);
    std::string branch = foldedIdentifier(key.branchNumber);
    for (auto it = range.first; it != range.second; ++it) {
        const Person& p = persons_[it->second];
        if (!symbol.empty() && symbol != foldedIdentifier(p.cardSymbol)) continue;
        if (!branch.empty() && branch != p.branchNumber) continue;
        found.push_back(&p);
    }
    return found;
}

}  // namespace ksim
