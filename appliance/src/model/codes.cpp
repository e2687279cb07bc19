#include "model/codes.hpp"

#include <utility>

namespace kh::model {
namespace {
bool allDigits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}
}  // namespace

int checkDigitFor(const std::string& digits) {
    int sum = 0, weight = 2;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int p = (*it - '0') * weight;
        sum += p / 10 + p % 10;
        weight = weight == 2 ? 1 : 2;
    }
    return (10 - sum % 10) % 10;
}

bool isValidInsurerNumber(const std::string& raw) {
    std::string s = trimmed(raw);
    if ((s.size() != 8 && s.size() != 6) || !allDigits(s)) return false;
    return checkDigitFor(s.substr(0, s.size() - 1)) == s.back() - '0';
}

bool isValidInstitutionCode(const std::string& s) {
    if (s.size() != 10 || !allDigits(s)) return false;
    char table = s[2];
    if (table != '1' && table != '3' && table != '4') return false;
    return checkDigitFor(s.substr(0, 9)) == s.back() - '0';
}

std::string trimmed(const std::string& s) {
    static const std::string kIdeographicSpace = "\xE3\x80\x80";
    size_t b = 0, e = s.size();
    for (;;) {
        if (b < e && s[b] == ' ') ++b;
        else if (e - b >= 3 && s.compare(b, 3, kIdeographicSpace) == 0) b += 3;
        else break;
    }
    for (;;) {
        if (e > b && s[e - 1] == ' ') --e;
        else if (e - b >= 3 && s.compare(e - 3, 3, kIdeographicSpace) == 0) e -= 3;
        else break;
    }
    return s.substr(b, e - b);
}

std::string normalisedIdentifier(const std::string& raw) {
    std::string s = trimmed(raw), out;
    for (size_t i = 0; i < s.size();) {
        unsigned char c = s[i];
        // U+FF01..U+FF5E (EF BC 81 .. EF BD 9E) are full-width forms of ASCII 0x21..0x7E.
        if (c == 0xEF && i + 2 < s.size()) {
            unsigned char c1 = s[i + 1], c2 = s[i + 2];
            unsigned cp = ((c & 0x0F) << 12) | ((c1 & 0x3F) << 6) | (c2 & 0x3F);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                out += char(cp - 0xFF01 + 0x21);
                i += 3;
                continue;
            }
        }
        out += char(c);
        ++i;
    }
    return out;
}

std::vector<FieldError> withJsonNames(std::vector<FieldError> errors) {
    static const std::pair<const char*, const char*> kNames[] = {
        {"InsurerNumber", "insurerNumber"},     {"InsuredCardSymbol", "cardSymbol"},
        {"InsuredIdentificationNumber", "cardNumber"}, {"InsuredBranchNumber", "branchNumber"},
        {"Birthdate", "birthDate"},             {"ArbitraryIdentifier", "arbitraryIdentifier"},
        {"ReferenceNumber", "referenceNumber"}, {"StartDate", "startDate"},
        {"EndDate", "endDate"},                 {"FileCategory", "fileCategory"},
        {"MedicalTreatmentFlag", "medicalTreatmentFlag"}, {"MedicalInstitutionCode", "medicalInstitutionCode"},
        {"ArbitraryFileIdentifier", "arbitraryFileIdentifier"},
    };
    for (auto& e : errors)
        for (const auto& [spec, json] : kNames)
            if (e.field == spec) {
                e.field = json;
                break;
            }
    return errors;
}

std::string describe(const std::vector<FieldError>& errors) {
    std::string out;
    for (const auto& e : errors) out += (out.empty() ? "" : "、") + e.field + "：" + e.message;
    return out;
}

}  // namespace kh::model
