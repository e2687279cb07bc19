// Answers one QualificationConfirmSearchInfo from the population: checks the fields (a unit with bad
// fields gets ProcessingResultStatus 2 and a code), then matches and gives QualificationValidity
// 1 有効 / 2 無効 / 4 該当資格なし / 5 複数該当. Shared by the single inquiry and the batch.
#pragma once
#include <string>

#include "population.hpp"
#include "xml_reader.hpp"

namespace ksim {

struct QualificationOutcome {
    std::string processingStatus;  // 1 正常終了, 2 エラー
    std::string processingCode;    // opaque; empty on success
    std::string processingMessage;
    std::string validity;            // empty when processingStatus is 2
    const Person* person = nullptr;  // set for validity 1 and 2 (the ResultOfQualificationConfirmation)
};

QualificationOutcome answerSearch(const Population& population, const SearchInfo& search);

// The one registered person (validity 1 or 2) the identifiers name, or nullptr when none or several
// (複数該当) match. Used by the home-consent flows, which need one definite person.
const Person* uniquePerson(const Population& population, const SearchKey& key);

}  // namespace ksim
