// Tests of how inquiries and results are kept in the store (stored_result): a real answer comes back out of
// its stored form exactly as the central system gave it — every element, record and order — with the time it
// was given; an answer made here keeps its fields; what an earlier release stored (the fields alone) is
// still read.
#include <catch2/catch.hpp>


#include <fstream>
#include <sstream>

#include "spec/messages.hpp"
#include "spec/stored_result.hpp"
#include "spec/xml.hpp"

#include "spec_test_support.hpp"

using namespace kh;
using spec::XmlElement;

namespace {
const std::string kResults = spec::test::kResultFixtures;
using spec::test::fixtures;

spec::ParsedXml load(const std::string& name) {
    std::ifstream in(kResults + name, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return spec::parseXml(bytes.str());
}

std::string trimmed(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

void requireSame(const XmlElement& want, const XmlElement& got, const std::string& where) {
    INFO(where + "/" + want.name);
    REQUIRE(got.name == want.name);
    REQUIRE(trimmed(got.text) == trimmed(want.text));
    REQUIRE(got.children.size() == want.children.size());
    for (size_t i = 0; i < want.children.size(); ++i) requireSame(want.children[i], got.children[i], where + "/" + want.name);
}
}  // namespace

TEST_CASE("every real single answer comes out of the store as it went in", "[spec][stored-result]") {
    auto names = fixtures("OQSsiquc01res_");
    REQUIRE(names.size() >= 2);
    int relayed = 0;
    for (const auto& name : names) {
        auto doc = load(name);
        auto res = spec::decodeSingleInquiryResponse(doc.root);
        if (!res.result) continue;  // a whole-message error has no result to keep
        auto stored = spec::serialiseResult(*res.result);
        auto back = spec::parseResult(stored);
        CHECK(back.answeredAt == res.result->answeredAt);
        CHECK(back.records.size() == res.result->records.size());
        spec::SingleInquiryResponse again = res;
        again.result = back;
        requireSame(*doc.root.child("MessageBody"), *spec::encode(again).child("MessageBody"), name);
        ++relayed;
    }
    CHECK(relayed >= 2);
}

TEST_CASE("every real batch unit comes out of the store as it went in", "[spec][stored-result]") {
    for (const auto& name : fixtures("OQSmuquc02res_")) {
        auto doc = load(name);
        auto res = spec::decodeBatchResultResponse(doc.root);
        REQUIRE_FALSE(res.units.empty());
        auto again = res;
        for (auto& unit : again.units) unit = spec::parseResult(spec::serialiseResult(unit));
        auto want = doc.root.child("MessageBody")->childrenNamed("BulkConfirmUnit");
        auto encoded = spec::encode(again);
        auto got = encoded.child("MessageBody")->childrenNamed("BulkConfirmUnit");
        REQUIRE(want.size() == got.size());
        for (size_t i = 0; i < want.size(); ++i) requireSame(*want[i], *got[i], name);
    }
}

TEST_CASE("an answer made here keeps its fields through the store", "[spec][stored-result]") {
    model::EligibilityResult r;
    r.processingStatus = "1";
    r.validity = model::Validity::Valid;
    r.validityRaw = "1";
    r.inquiry.insured = {"01130012", "あいう", "5101", "00", "19600402"};
    r.inquiry.arbitraryIdentifier = "PT-5101";
    model::EligibilityRecord record;
    record.name = "保存 一郎";
    record.insurerNumber = "01130012";
    r.records.push_back(record);
    r.answeredAt = "20261207093000";
    auto back = spec::parseResult(spec::serialiseResult(r));
    CHECK(back.processingStatus == "1");
    CHECK(back.validity == model::Validity::Valid);
    REQUIRE(back.records.size() == 1);
    CHECK(back.records[0].name == "保存 一郎");
    CHECK(back.inquiry.arbitraryIdentifier == "PT-5101");
    CHECK(back.answeredAt == "20261207093000");
}

TEST_CASE("an inquiry keeps its keys as written, padding and full width included", "[spec][stored-result]") {
    model::EligibilityInquiry q;
    q.insured = {"  138057", "ＡＢ", "５１０２", "01", "19600402"};
    q.limitCertificateConsent = true;
    q.arbitraryIdentifier = "PT-5102";
    auto back = spec::parseInquiry(spec::serialiseInquiry(q));
    CHECK(back.insured.insurerNumber == "  138057");
    CHECK(back.insured.cardSymbol == "ＡＢ");
    CHECK(back.insured.cardNumber == "５１０２");
    CHECK(back.insured.branchNumber == "01");
    CHECK(back.insured.birthDate == "19600402");
    CHECK(back.limitCertificateConsent);
    CHECK(back.arbitraryIdentifier == "PT-5102");
}

TEST_CASE("what an earlier release stored, the fields without a Unit, is still read", "[spec][stored-result]") {
    const std::string old = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Stored><ProcessingResultStatus>1</ProcessingResultStatus>"
                            "<QualificationValidity>1</QualificationValidity>"
                            "<ResultOfQualificationConfirmation><Name>旧形式 太郎</Name></ResultOfQualificationConfirmation></Stored>";
    auto back = spec::parseResult(old);
    CHECK(back.processingStatus == "1");
    CHECK(back.validity == model::Validity::Valid);
    REQUIRE(back.records.size() == 1);
    CHECK(back.records[0].name == "旧形式 太郎");
    CHECK_FALSE(back.received);  // no document to re-emit
}
