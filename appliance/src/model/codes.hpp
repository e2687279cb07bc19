// Validation of the codes receipt computers send: 保険者番号 (InsurerNumber), 医療機関等コード
// (InstitutionCode), 記号・番号・枝番 (CardSymbol / CardNumber / BranchNumber), dates.
#pragma once
#include <string>
#include <vector>

namespace kh::model {

// Check digit over the digits before it: weights 2,1,2,1… from the right, digits of each product
// summed, check = (10 - sum mod 10) mod 10. Used by both 保険者番号 and 医療機関等コード.
int checkDigitFor(const std::string& digits);

// 8 digits (法別2 + 都道府県2 + 保険者3 + 検証1) or 6 digits for 国民健康保険; results may carry the
// 6-digit form left-padded with two spaces, so the value is trimmed first.
bool isValidInsurerNumber(const std::string& raw);
// 10 digits: 都道府県2 + 点数表1 (1 医科, 3 歯科, 4 調剤) + 郡市区2 + 医療機関4 + 検証1.
bool isValidInstitutionCode(const std::string& code);

std::string trimmed(const std::string& s);  // ASCII spaces and the ideographic space U+3000
// The blind-index form of an identifier: trimmed, full-width ASCII folded to half-width.
std::string normalisedIdentifier(const std::string& s);

// One problem with one field of a request, named so a receipt computer can show it.
struct FieldError {
    std::string field;    // the spec's element name, e.g. "InsurerNumber" (the file channel's XML)
    std::string message;  // Japanese, for staff
};

// "InsurerNumber：…、Birthdate：…" — every problem on one line, for a result file or a per-entry error.
std::string describe(const std::vector<FieldError>& errors);

// The same problems named as the HTTP API's JSON members (InsurerNumber → insurerNumber, Birthdate →
// birthDate, InsuredIdentificationNumber → cardNumber …): a client is told the name it sent.
std::vector<FieldError> withJsonNames(std::vector<FieldError> errors);

}  // namespace kh::model
