#include "population.hpp"

#include <algorithm>

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
    cardIndex_.clear();
    index_.reserve(persons_.size());
    cardIndex_.reserve(persons_.size());
    for (std::size_t i = 0; i < persons_.size(); ++i) {
        const Person& p = persons_[i];
        if (p.validity == '4') continue;
        index_.emplace(indexKey(insurers_[p.insurer].number, p.cardNumber, p.birthDate), i);
        cardIndex_.emplace(indexKey(insurers_[p.insurer].number, p.cardNumber, ""), i);
    }
}

std::vector<const Person*> Population::narrowed(const std::vector<std::size_t>& candidates,
                                                const SearchKey& key) const {
    std::vector<const Person*> found;
    std::string symbol = foldedIdentifier(key.cardSymbol);
    std::string branch = foldedIdentifier(key.branchNumber);
    for (std::size_t i : candidates) {
        const Person& p = persons_[i];
        if (!symbol.empty() && symbol != foldedIdentifier(p.cardSymbol)) continue;
        if (!branch.empty() && branch != p.branchNumber) continue;
        found.push_back(&p);
    }
    return found;
}

std::vector<const Person*> Population::find(const SearchKey& key) const {
    std::vector<std::size_t> candidates;
    auto range = index_.equal_range(indexKey(key.insurerNumber, key.cardNumber, key.birthDate));
    for (auto it = range.first; it != range.second; ++it) candidates.push_back(it->second);
    return narrowed(candidates, key);
}

std::vector<const Person*> Population::findByCard(const SearchKey& key) const {
    std::vector<std::size_t> candidates;
    auto range = cardIndex_.equal_range(indexKey(key.insurerNumber, key.cardNumber, ""));
    for (auto it = range.first; it != range.second; ++it) candidates.push_back(it->second);
    std::sort(candidates.begin(), candidates.end());
    return narrowed(candidates, key);
}

}  // namespace ksim
