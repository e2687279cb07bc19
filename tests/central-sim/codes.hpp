// Codes of the central system's domain as the simulator checks and compares them: check digits of
// 保険者番号 and 医療機関等コード, dates, and the folding of identifiers (full-width → half-width) that
// makes "１２－３４" and "12-34" the same card symbol.
#pragma once
#include <string>

namespace ksim {

// Check digit over the given digits: weights 2,1,2,1… from the right, digits of each product summed,
// check = (10 − sum mod 10) mod 10.
int checkDigit(const std::string& digits);
std::string withCheckDigit(const std::string& digits);

// 8 digits (法別2 + 都道府県2 + 保険者3 + 検証1) or 6 digits (国民健康保険), after trimming.
bool isValidInsurerNumber(const std::string& raw);
// 10 digits: 都道府県2 + 点数表1 + 郡市区2 + 医療機関4 + 検証1 (check over the 9 digits before it).
bool isValidInstitutionCode(const std::string& code);

bool isAllDigits(const std::string& s);
// YYYYMMDD naming a real calendar day.
bool isDate8(const std::string& s);
// YYYYMMDDHHmmss naming a real moment (hour 00–23).
bool isTimestamp14(const std::string& s);

// Leading and trailing ASCII whitespace and U+3000 removed.
std::string trimmed(const std::string& s);
// For comparisons only: full-width ASCII folded to half-width, dash look-alikes to '-', every
// space (ASCII and U+3000) removed.
std::string foldedIdentifier(const std::string& s);

}  // namespace ksim
