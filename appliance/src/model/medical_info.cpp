#include "model/medical_info.hpp"

#include <optional>

#include "model/japan_date.hpp"

namespace kh::model {
namespace {
bool printable(const std::string& s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7F) return false;
    return true;
}

// YYYYMM (what clients send); a full YYYYMMDD day is read as its month.
std::optional<std::string> month(const std::string& s) {
    if (s.size() == 8) return JapanDate::parse(s) ? std::optional<std::string>(s.substr(0, 6)) : std::nullopt;
    if (s.size() != 6 || !JapanDate::parse(s + "01")) return std::nullopt;
    return s;
}

void validateMonths(const MedicalInfoRequest& r, std::vector<FieldError>& errors) {
    const auto start = month(r.startDate), end = month(r.endDate);
    if (!r.startDate.empty() && !start) errors.push_back({"StartDate", "開始年月はYYYYMM形式です"});
    if (!r.endDate.empty() && !end) errors.push_back({"EndDate", "終了年月はYYYYMM形式です"});
    if (start && end && *end < *start) errors.push_back({"EndDate", "終了年月が開始年月より前です"});
}
}  // namespace

std::vector<FieldError> validate(const MedicalInfoRequest& r) {
    std::vector<FieldError> errors;
    if (!isValidInstitutionCode(r.institutionCode))
        errors.push_back({"MedicalInstitutionCode", "医療機関等コードが正しくありません（10桁・検証番号）"});
    for (auto& e : validateCardKeys(r.insured)) errors.push_back(std::move(e));
    if (r.insured.branchNumber.empty())  // 枝番 is required to view information (docs/file-interface.md)
        errors.push_back({"InsuredBranchNumber", "枝番がありません"});
    validateMonths(r, errors);
    if (r.fileCategory != 1 && r.fileCategory != 2)
        errors.push_back({"FileCategory", "ファイル種別は1（PDF）または2（XML）です"});
    if (!medicalTreatmentFromCode(medicalTreatmentCode(r.treatment)))
        errors.push_back({"MedicalTreatmentFlag", "診療区分は1・2・3のいずれかです"});
    if (r.arbitraryFileIdentifier.size() > 64 || !printable(r.arbitraryFileIdentifier))
        errors.push_back({"ArbitraryFileIdentifier", "任意ファイル識別子が長すぎるか、使えない文字を含みます"});
    return errors;
}

}  // namespace kh::model
