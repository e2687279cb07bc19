// Tests of the lossless relay (eligibility_parts): what the central system answered reaches the receipt
// computer whole — every element, record and order — from the corpus of real-shaped results.
#include <catch2/catch.hpp>


#include <functional>

#include <fstream>
#include <sstream>

#include "spec/messages.hpp"

#include "spec_test_support.hpp"

using namespace kh;
using spec::XmlElement;

namespace {
const std::string kResults = spec::test::kResultFixtures;
using spec::test::fixtures;

std::string trimmed(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Same elements, same values, same order, all the way down (indentation aside).
void requireSame(const XmlElement& want, const XmlElement& got, const std::string& where) {
    INFO(where + "/" + want.name);
    REQUIRE(got.name == want.name);
    REQUIRE(trimmed(got.text) == trimmed(want.text));
    REQUIRE(got.children.size() == want.children.size());
    for (size_t i = 0; i < want.children.size(); ++i) requireSame(want.children[i], got.children[i], where + "/" + want.name);
}

spec::ParsedXml load(const std::string& name) {
    std::ifstream in(kResults + name, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return spec::parseXml(bytes.str());
}
}  // namespace

TEST_CASE("every single result in the real shapes survives decoding and encoding element for element") {
    auto names = fixtures("OQSsiquc01res_");
    REQUIRE(names.size() >= 2);
    for (const auto& name : names) {
        auto doc = load(name);
        auto res = spec::decodeSingleInquiryResponse(doc.root);
        if (!res.result) continue;  // a whole-message error: nothing to relay but the header
        auto again = spec::encode(res);
        requireSame(*doc.root.child("MessageBody"), *again.child("MessageBody"), name);
    }
}

TEST_CASE("two records, 特定疾病 and 医療扶助 are read into the model") {
    auto res = spec::decodeSingleInquiryResponse(load("OQSsiquc01res_202611240001.xml").root);
    REQUIRE(res.result);
    REQUIRE(res.result->records.size() == 2);
    CHECK_FALSE(res.result->records[0].isMedicalAid());
    const auto& aid = res.result->records[1];
    CHECK(aid.isMedicalAid());
    CHECK_FALSE(aid.publicExpenseNumber.empty());
    CHECK_FALSE(aid.beneficiaryNumber.empty());
    CHECK_FALSE(aid.welfareOfficeName.empty());
    CHECK_FALSE(aid.medicalTickets.empty());
    CHECK(res.result->primary() == &res.result->records[0]);
    CHECK(res.result->answeredAt == "20261124093012");
    auto second = spec::decodeSingleInquiryResponse(load("OQSsiquc01res_202611240002.xml").root);
    REQUIRE(second.result);
    CHECK_FALSE(second.result->prescriptionIssueSelect.empty());
    REQUIRE(second.result->primary());
    CHECK_FALSE(second.result->primary()->specificDiseases.empty());
    CHECK_FALSE(second.result->primary()->specificDiseasesConsentFlag.empty());
}

TEST_CASE("batch units keep their ReferenceNumber beside the record and survive whole") {
    for (const auto& name : fixtures("OQSmuquc02res_")) {
        auto doc = load(name);
        auto res = spec::decodeBatchResultResponse(doc.root);
        REQUIRE_FALSE(res.units.empty());
        auto again = spec::encode(res);
        auto want = doc.root.child("MessageBody")->childrenNamed("BulkConfirmUnit");
        auto got = again.child("MessageBody")->childrenNamed("BulkConfirmUnit");
        REQUIRE(want.size() == got.size());
        for (size_t i = 0; i < want.size(); ++i) requireSame(*want[i], *got[i], name);
    }
}

TEST_CASE("an answer from another request carries this request's echo, the rest unchanged") {
    auto doc = load("OQSsiquc01res_202611240001.xml");
    auto res = spec::decodeSingleInquiryResponse(doc.root);
    REQUIRE(res.result);
    res.result->inquiry.arbitraryIdentifier = "MINE-7";
    auto again = spec::encode(res);
    const auto& body = *again.child("MessageBody");
    CHECK(body.child("QualificationConfirmSearchInfo")->childText("ArbitraryIdentifier") == "MINE-7");
    requireSame(*doc.root.child("MessageBody")->child("ResultList"), *body.child("ResultList"), "ResultList");
}
