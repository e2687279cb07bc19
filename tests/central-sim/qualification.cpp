#include "qualification.hpp"

#include "codes.hpp"

namespace ksim {

namespace {

QualificationOutcome unitError(const char* code, const char* message) {
    return {"2", code, message, "", nullptr};
}

// Field checks in the order a receipt computer would fix them; codes are documented in README.md.
bool checkFields(const SearchInfo& s, QualificationOutcome& error) {
    std::string insurer = trimmed(s.insurerNumber);
    std::string branch = trimmed(s.branchNumber);
    std::string flag = trimmed(s.limitConsentFlag);
    if (insurer.empty() || trimmed(s.cardNumber).empty() || trimmed(s.birthDate).empty())
        error = unitError("SIM-Q001", "必須項目（保険者番号・被保険者番号・生年月日）が設定されていません");
    else if (!isValidInsurerNumber(foldedIdentifier(insurer)))
        error = unitError("SIM-Q002", "保険者番号の形式または検証番号が正しくありません");
    else if (!isDate8(trimmed(s.birthDate)))
        error = unitError("SIM-Q003", "生年月日の形式が正しくありません");
    else if (!branch.empty() && (branch.size() != 2 || !isAllDigits(branch)))
        error = unitError("SIM-Q004", "枝番の形式が正しくありません");
    else if (!flag.empty() && flag != "0" && flag != "1")
        error = unitError("SIM-Q005", "限度額適用認定証関連情報提供同意フラグが正しくありません");
    else
        return true;
    return false;
}

}  // namespace

QualificationOutcome answerSearch(const Population& population, const SearchInfo& s) {
    QualificationOutcome outcome;
    if (!checkFields(s, outcome)) return outcome;
    outcome.processingStatus = "1";
    auto found = population.find({s.insurerNumber, s.cardSymbol, s.cardNumber, s.branchNumber, s.birthDate});
    if (found.empty()) {
        outcome.validity = "4";
    } else if (found.size() > 1 || found.front()->validity == '5') {
        outcome.validity = "5";  // several records: nothing is disclosed
    } else {
        outcome.person = found.front();
        outcome.validity = outcome.person->validity == '2' ? "2" : "1";
    }
    return outcome;
}

const Person* uniquePerson(const Population& population, const SearchKey& key) {
    auto found = population.find(key);
    if (found.size() != 1 || (found.front()->validity != '1' && found.front()->validity != '2')) return nullptr;
    return found.front();
}

}  // namespace ksim
