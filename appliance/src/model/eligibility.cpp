#include "model/eligibility.hpp"

namespace kh::model {
namespace {
bool digitsOnly(const std::string& s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// 記号・番号: printable, no control characters, bounded; full-width allowed (UTF-8 bytes >= 0x80).
bool printableField(const std::string& s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7F) return false;
    return true;
}
}  // namespace

std::vector<FieldError> validateCardKeys(const InsuredIdentity& p) {
    std::vector<FieldError> errors;
    if (p.insurerNumber.empty())
        errors.push_back({"InsurerNumber", "保険者番号がありません"});
    else if (!isValidInsurerNumber(p.insurerNumber))
        errors.push_back({"InsurerNumber", "保険者番号が正しくありません（桁数または検証番号）"});
    if (p.cardSymbol.size() > 38 || !printableField(p.cardSymbol))
        errors.push_back({"InsuredCardSymbol", "記号が長すぎるか、使えない文字を含みます"});
    std::string number = trimmed(p.cardNumber);
    if (number.empty())
        errors.push_back({"InsuredIdentificationNumber", "番号がありません"});
    else if (number.size() > 38 || !printableField(number))
        errors.push_back({"InsuredIdentificationNumber", "番号が長すぎるか、使えない文字を含みます"});
    if (!p.branchNumber.empty() && (p.branchNumber.size() != 2 || !digitsOnly(p.branchNumber)))
        errors.push_back({"InsuredBranchNumber", "枝番は2桁の数字です"});
    return errors;
}

std::vector<FieldError> validate(const EligibilityInquiry& q) {
    std::vector<FieldError> errors = validateCardKeys(q.insured);
    const auto& p = q.insured;
    if (!JapanDate::parse(p.birthDate))
        errors.push_back({"Birthdate", "生年月日はYYYYMMDD形式の実在する日付です"});
    else if (JapanDate::today() < *JapanDate::parse(p.birthDate))
        errors.push_back({"Birthdate", "生年月日が未来の日付です"});
    if (q.arbitraryIdentifier.size() > 64 || !printableField(q.arbitraryIdentifier))
        errors.push_back({"ArbitraryIdentifier", "任意識別子が長すぎるか、使えない文字を含みます"});
    return errors;
}

const char* statusName(Validity v) {
    switch (v) {
    case Validity::Valid:
    case Validity::ValidUnregistered: return "valid";
    case Validity::Invalid:
    case Validity::InvalidNewer: return "lapsed";
    case Validity::NotFound: return "not_found";
    case Validity::Multiple: return "multiple";
    default: return "unknown";
    }
}

bool EligibilityRecord::isMedicalAid() const { return trimmed(insuredCardClassification) == "A1"; }

const EligibilityRecord* EligibilityResult::primary() const {
    for (const auto& r : records)
        if (!r.isMedicalAid()) return &r;
    return records.empty() ? nullptr : &records.front();
}

EligibilityRecord* EligibilityResult::primary() {
    return const_cast<EligibilityRecord*>(static_cast<const EligibilityResult&>(*this).primary());
}

}  // namespace kh::model
