// Tests of the reference-number CSV import (reference_number_csv): RFC 4180 records, Japanese or English
// headers in UTF-8 or Shift_JIS, and a malformed file refused whole, naming the line.
#include <catch2/catch.hpp>

#include "endpoint/reference_number_csv.hpp"
#include "model/errors.hpp"
#include "spec/xml.hpp"

using namespace kh::endpoint;
using kh::model::ErrorId;
using kh::model::KakehashiError;

namespace {
struct Failure {
    ErrorId id = ErrorId::Internal;
    std::string detail;
};

Failure csvFailure(const std::string& body, const std::string& type = "text/csv", size_t max = 100) {
    try {
        decodeRegistrationCsv(body, type, max);
    } catch (const KakehashiError& e) {
        return {e.id(), e.what()};
    }
    return {};
}

const std::string kHeader = "照会番号,保険者番号,記号,番号,枝番\r\n";
}  // namespace

TEST_CASE("RFC 4180: quotes, doubled quotes, separators and line breaks inside quotes", "[endpoint][csv]") {
    auto records = readCsv("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x,\r\nlast");
    REQUIRE(records.size() == 3);
    CHECK(records[0].fields == std::vector<std::string>{"a", "b,c", "say \"hi\""});
    CHECK(records[1].line == 2);
    CHECK(records[1].fields == std::vector<std::string>{"multi\nline", "x", ""});
    CHECK(records[2].line == 4);  // the quoted line break counted
    CHECK(records[2].fields == std::vector<std::string>{"last"});
}

TEST_CASE("a CSV import reads Japanese or English headers, in UTF-8 or Shift_JIS", "[endpoint][csv]") {
    std::string text = kHeader + "PT-1,01130012,\"１２－３４\",1234567,01\r\n\r\n PT-2 ,138016,,77,\r\n";
    auto utf8 = decodeRegistrationCsv(text, "text/csv", 100);
    REQUIRE(utf8.size() == 2);
    CHECK(utf8[0].line == 2);
    CHECK(utf8[0].registration.insured.cardSymbol == "１２－３４");
    CHECK(utf8[1].line == 4);
    CHECK(utf8[1].registration.referenceNumber == "PT-2");
    CHECK(utf8[1].registration.insured.branchNumber.empty());

    auto sjis = decodeRegistrationCsv(kh::spec::utf8ToCp932(text), "text/csv", 100);
    REQUIRE(sjis.size() == 2);
    CHECK(sjis[0].registration.insured.cardSymbol == "１２－３４");
    CHECK(sjis[1].registration.insured.cardNumber == "77");
    auto declared = decodeRegistrationCsv(kh::spec::utf8ToCp932(text), "text/csv; charset=Shift_JIS", 100);
    CHECK(declared.size() == 2);

    auto english = decodeRegistrationCsv("\xEF\xBB\xBF" "cardNumber,branchNumber,cardSymbol,insurerNumber,referenceNumber\n"
                                         "5,00,,01130012,PT-9\n", "text/csv", 100);
    REQUIRE(english.size() == 1);
    CHECK(english[0].registration.referenceNumber == "PT-9");
    CHECK(english[0].registration.insured.cardNumber == "5");
}

TEST_CASE("a malformed CSV is refused whole, naming the line", "[endpoint][csv]") {
    auto unterminated = csvFailure(kHeader + "PT-1,01130012,,1,01\r\n\"PT-2,01130012,,2,01\r\nPT-3,01130012,,3,01\r\n");
    CHECK(unterminated.id == ErrorId::MalformedCsv);
    CHECK(unterminated.detail.find("line 3") == 0);
    auto columns = csvFailure(kHeader + "PT-1,01130012,,1,01\r\nPT-2,01130012,2,01\r\n");
    CHECK(columns.id == ErrorId::MalformedCsv);
    CHECK(columns.detail.find("line 3") == 0);
    auto missing = csvFailure("照会番号,保険者番号,記号,番号\r\nPT-1,01130012,,1\r\n");
    CHECK(missing.id == ErrorId::MalformedCsv);
    CHECK(missing.detail.find("line 1") == 0);
    CHECK(missing.detail.find("枝番") != std::string::npos);
    CHECK(csvFailure("照会番号,保険者番号,記号,番号,枝番,氏名\r\n").id == ErrorId::MalformedCsv);
    CHECK(csvFailure("照会番号,照会番号,記号,番号,枝番\r\n").id == ErrorId::MalformedCsv);
    CHECK(csvFailure(kHeader + "PT-1,01130012,a\"b,1,01\r\n").detail.find("line 2") == 0);
    CHECK(csvFailure(kHeader + "\"PT-1\"x,01130012,,1,01\r\n").id == ErrorId::MalformedCsv);
    CHECK(csvFailure("").id == ErrorId::EmptyRequest);
    CHECK(csvFailure(kHeader).id == ErrorId::EmptyRequest);
    CHECK(csvFailure(kHeader + "A,01130012,,1,01\nB,01130012,,2,01\n", "text/csv", 1).id == ErrorId::TooManyEntries);
    CHECK(csvFailure("\xFF\xFF", "text/csv; charset=utf-8").id == ErrorId::BadEncoding);
}
