#include <catch2/catch.hpp>

#include "model/codes.hpp"
#include "model/eligibility.hpp"

using namespace kh::model;

TEST_CASE("insurer number check digit follows the published rule", "[model][codes]") {
    CHECK(isValidInsurerNumber("01130012"));   // 全国健康保険協会 東京支部
    CHECK(isValidInsurerNumber("33120015"));   // worked example of the rule
    CHECK_FALSE(isValidInsurerNumber("01130013"));
    CHECK_FALSE(isValidInsurerNumber("0113001"));   // 7 digits
    CHECK_FALSE(isValidInsurerNumber("0113001a"));
    CHECK_FALSE(isValidInsurerNumber(""));
}

TEST_CASE("6-digit national health insurance numbers are accepted padded with two spaces", "[model][codes]") {
    std::string six = "138123";
    six.back() = char('0' + checkDigitFor("13812"));
    CHECK(isValidInsurerNumber(six));
    CHECK(isValidInsurerNumber("  " + six));
    CHECK_FALSE(isValidInsurerNumber("  13812" + std::string(1, char('0' + (checkDigitFor("13812") + 1) % 10))));
}

TEST_CASE("institution code: 10 digits, known point table, check digit over the first nine", "[model][codes]") {
    CHECK(isValidInstitutionCode("0110113719"));
    CHECK(isValidInstitutionCode("1312345679"));
    CHECK_FALSE(isValidInstitutionCode("1312345678"));
    CHECK_FALSE(isValidInstitutionCode("1322345679"));  // point table 2 does not exist
    CHECK_FALSE(isValidInstitutionCode("131234567"));
}

TEST_CASE("identifiers are normalised for the blind index", "[model][codes]") {
    CHECK(normalisedIdentifier("  123  ") == "123");
    CHECK(normalisedIdentifier("\xEF\xBC\x91\xEF\xBC\x92") == "12");             // full-width １２
    CHECK(normalisedIdentifier("\xE3\x80\x80" "AB\xE3\x80\x80") == "AB");         // ideographic spaces
    CHECK(normalisedIdentifier("\xEF\xBC\x8D") == "-");                            // full-width hyphen-minus
    CHECK(trimmed("  ") == "");
}

TEST_CASE("field errors are described on one line, field by field", "[model][codes]") {
    CHECK(describe({}) == "");
    CHECK(describe({{"InsurerNumber", "a"}, {"Birthdate", "b"}}) == "InsurerNumber：a、Birthdate：b");
}

TEST_CASE("problems over HTTP name the JSON members, not the spec's elements", "[model][codes]") {
    EligibilityInquiry q;
    q.insured.insurerNumber = "01130012";
    q.insured.cardNumber = "1";
    q.insured.branchNumber = "1";
    q.insured.birthDate = "19801340";
    auto errors = withJsonNames(validate(q));
    std::vector<std::string> fields;
    for (const auto& e : errors) fields.push_back(e.field);
    CHECK(fields == std::vector<std::string>{"branchNumber", "birthDate"});
}
