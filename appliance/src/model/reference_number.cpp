#include "model/reference_number.hpp"

#include <algorithm>

namespace kh::model {
namespace {
constexpr size_t kMaxReferenceNumber = 20;

bool isReferenceChar(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
}
}  // namespace

std::vector<FieldError> validate(const ReferenceNumberRegistration& r) {
    std::vector<FieldError> errors;
    const std::string& number = r.referenceNumber;
    if (number.empty())
        errors.push_back({"ReferenceNumber", "照会番号がありません"});
    else if (number.size() > kMaxReferenceNumber || !std::all_of(number.begin(), number.end(), isReferenceChar))
        errors.push_back({"ReferenceNumber", "照会番号は20文字以内の英数字とハイフンです"});
    // The insured keys are checked exactly as for a check; a registration carries no birth date.
    EligibilityInquiry keys;
    keys.insured = r.insured;
    for (auto& e : validate(keys))
        if (e.field != "Birthdate") errors.push_back(std::move(e));
    return errors;
}

}  // namespace kh::model
