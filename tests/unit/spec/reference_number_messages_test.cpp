// Tests of reference-number registration (OQSsiimm01, OQSmuimm01 / 02): round trips in UTF-8 and Shift_JIS,
// liberal reading of units, the written shape, file names, and the validation of a registration.
#include <catch2/catch.hpp>

#include "spec_test_support.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/errors.hpp"
#include "spec/reference_number_messages.hpp"

using kh::model::KakehashiError;
using namespace kh::spec;
namespace model = kh::model;

using namespace kh::spec::test;

namespace {
const Encoding kBothEncodings[] = {Encoding::Utf8, Encoding::ShiftJis};

model::ReferenceNumberRegistration registration(const std::string& number) {
    model::ReferenceNumberRegistration r;
    r.referenceNumber = number;
    r.insured.insurerNumber = "  138057";
    r.insured.cardSymbol = "ＡＢ-１２";
    r.insured.cardNumber = "１２３４５～Ⅲ";
    r.insured.branchNumber = "01";
    return r;
}

std::vector<std::string> fields(const model::ReferenceNumberRegistration& r) {
    return {r.referenceNumber, r.insured.insurerNumber, r.insured.cardSymbol, r.insured.cardNumber,
            r.insured.branchNumber, r.insured.birthDate};
}

std::vector<std::string> fields(const model::ReferenceNumberResult& r) {
    return {r.referenceNumber, r.processingStatus, r.processingCode, r.processingMessage};
}

std::vector<std::string> fields(const RequestHeader& h) {
    return {h.confirmationDate, h.institutionCode, h.arbitraryFileIdentifier};
}

ResultHeader resultHeader() {
    ResultHeader h;
    h.processExecutionTime = "20261124093001";
    h.institutionCode = "1312345678";
    h.arbitraryFileIdentifier = "照会-1";
    return h;
}
}  // namespace

TEST_CASE("OQSsiimm01req round-trips in UTF-8 and Shift_JIS", "[spec][reference]") {
    const ReferenceNumberRequest m{{"", "1312345678", "照会-①"}, registration("P-0001")};
    for (Encoding enc : kBothEncodings) {
        const auto back = roundTrip(m, enc, decodeReferenceNumberRequest);
        CHECK(fields(back.header) == fields(m.header));
        CHECK(fields(back.registration) == fields(m.registration));
    }
    const XmlElement tree = encode(m);
    const XmlElement& info = *tree.child("MessageBody")->child("ReferenceNumberRegistrationInfo");
    CHECK(childNames(info) == std::vector<std::string>{"ReferenceNumber", "InsurerNumber", "InsuredCardSymbol",
                                                       "InsuredIdentificationNumber", "InsuredBranchNumber"});
}

TEST_CASE("OQSmuimm01req round-trips every registration in order inside BulkRegistrationUnit", "[spec][reference]") {
    const ReferenceNumberBatchRequest m{{"", "1312345678", "F-2"},
                                        {registration("A1"), registration("B-2"), registration("c3")}};
    for (Encoding enc : kBothEncodings) {
        const auto back = roundTrip(m, enc, decodeReferenceNumberBatchRequest);
        CHECK(fields(back.header) == fields(m.header));
        REQUIRE(back.registrations.size() == 3);
        for (size_t i = 0; i < 3; ++i) CHECK(fields(back.registrations[i]) == fields(m.registrations[i]));
    }
    const XmlElement tree = encode(m);
    CHECK(childNames(*tree.child("MessageBody")) ==
          std::vector<std::string>(3, "BulkRegistrationUnit"));
}

TEST_CASE("registration infos are read directly in the body or in units, in document order", "[spec][reference]") {
    const auto m = decodeReferenceNumberBatchRequest(parseXml(
        "<XmlMsg><MessageBody>"
        "<ReferenceNumberRegistrationInfo><ReferenceNumber>A</ReferenceNumber></ReferenceNumberRegistrationInfo>"
        "<BulkRegistrationUnit><Other/><ReferenceNumberRegistrationInfo><InsurerNumber>01130012</InsurerNumber>"
        "<ReferenceNumber>B</ReferenceNumber></ReferenceNumberRegistrationInfo></BulkRegistrationUnit>"
        "</MessageBody></XmlMsg>").root);
    REQUIRE(m.registrations.size() == 2);
    CHECK(m.registrations[0].referenceNumber == "A");
    CHECK(m.registrations[1].referenceNumber == "B");
    CHECK(m.registrations[1].insured.insurerNumber == "01130012");
    CHECK(m.header.institutionCode.empty());
}

TEST_CASE("OQSsiimm01res and OQSmuimm02res round-trip their results", "[spec][reference]") {
    const ReferenceNumberResponse single{resultHeader(), "", {{"P-0001", "1", "", ""}}};
    const ReferenceNumberResponse batch{resultHeader(), "R202611240001",
                                        {{"A1", "1", "", ""}, {"B-2", "2", "OQC-XXXX0000000", "登録できません①"}}};
    for (Encoding enc : kBothEncodings) {
        for (const auto* m : {&single, &batch}) {
            const auto back = roundTrip(*m, enc, decodeReferenceNumberResponse);
            CHECK(back.receptionNumber == m->receptionNumber);
            CHECK(back.header.arbitraryFileIdentifier == "照会-1");
            REQUIRE(back.results.size() == m->results.size());
            for (size_t i = 0; i < m->results.size(); ++i) CHECK(fields(back.results[i]) == fields(m->results[i]));
        }
    }
    const XmlElement batchTree = encode(batch);
    const XmlElement& header = *batchTree.child("MessageHeader");
    CHECK(header.childText("ReceptionNumber") == "R202611240001");
    CHECK(header.childText("NumberOfNormalProcessing") == "1");
    CHECK(header.childText("NumberOfError") == "1");
    CHECK(encode(single).child("MessageHeader")->child("ReceptionNumber") == nullptr);
    CHECK(childNames(*encode(single).child("MessageBody")->child("ReferenceNumberRegistrationResult")) ==
          std::vector<std::string>{"ReferenceNumber", "ProcessingResultStatus"});
}

TEST_CASE("OQSmuimm02res is written as receipt computers read it: one BulkRegistrationUnit per entry",
          "[spec][reference]") {
    ReferenceNumberBatchResultResponse m{resultHeader(), "R0000000042",
                                         {{registration("A1"), {"A1", "1", "", ""}},
                                          {registration("B-2"), {"B-2", "2", "ESYN5002", "該当する資格がありません"}}}};
    const XmlElement tree = encode(m);
    const XmlElement& header = *tree.child("MessageHeader");
    CHECK(header.childText("ReceptionNumber") == "R0000000042");
    CHECK(header.childText("NumberOfProcessingResult") == "2");
    CHECK(header.childText("NumberOfNormalProcessing") == "1");
    CHECK(header.childText("NumberOfError") == "1");
    const auto units = tree.child("MessageBody")->childrenNamed("BulkRegistrationUnit");
    REQUIRE(units.size() == 2);
    CHECK(childNames(*units[0]) == std::vector<std::string>{"ReferenceNumberRegistrationInfo", "ProcessingResultStatus"});
    CHECK(childNames(*units[1]) == std::vector<std::string>{"ReferenceNumberRegistrationInfo", "ProcessingResultStatus",
                                                            "ProcessingResultCode", "ProcessingResultMessage"});
    CHECK(childNames(*units[1]->child("ReferenceNumberRegistrationInfo")) ==
          std::vector<std::string>{"ReferenceNumber", "InsurerNumber", "InsuredCardSymbol", "InsuredIdentificationNumber",
                                   "InsuredBranchNumber"});
    for (Encoding enc : kBothEncodings) {
        const auto back = decodeReferenceNumberResponse(parseXml(writeXml(tree, enc)).root);
        REQUIRE(back.results.size() == 2);
        CHECK(fields(back.results[1]) == fields(m.units[1].result));
    }
}

TEST_CASE("a real-shaped OQSmuimm02res (MynaReception's field list) reads as one result per unit", "[spec][reference]") {
    std::ifstream in(std::string(KAKEHASHI_FIXTURES) + "/interface/results/OQSmuimm02res_202611240008.xml", std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const auto m = decodeReferenceNumberResponse(parseXml(bytes.str()).root);
    CHECK(m.receptionNumber == "202611240941000077");
    REQUIRE(m.results.size() == 2);
    CHECK(fields(m.results[0]) == std::vector<std::string>{"2001", "1", "", ""});
    CHECK(m.results[1].referenceNumber == "1234");
    CHECK(m.results[1].processingStatus == "2");
    CHECK(m.results[1].processingCode == "ESYN5002");
    CHECK_FALSE(m.results[1].processingMessage.empty());
}

TEST_CASE("reference-number file names map to their kinds", "[spec][reference][names]") {
    CHECK(kindFromFileName("OQSsiimm01req_202611240001.xml") == MessageKind::ReferenceNumberSingle);
    CHECK(kindFromFileName("OQSmuimm01req_202611240001.xml") == MessageKind::ReferenceNumberUpload);
    CHECK(kindFromFileName("OQSmuimm02req_202611240001.xml") == MessageKind::ReferenceNumberDownload);
    CHECK(kindFromFileName("OQSsiimm02req_202611240001.xml") == MessageKind::Unknown);
    CHECK(kindFromFileName("OQSmuimm01res_202611240001.xml") == MessageKind::Unknown);
    CHECK(resultFileName("OQSmuimm02req_202611240001.xml") == "OQSmuimm02res_202611240001.xml");
}

TEST_CASE("a registration needs a reference number of up to 20 [A-Za-z0-9-] and valid insured keys",
          "[spec][reference][validate]") {
    model::ReferenceNumberRegistration good = registration("Ab-0123456789-abcdef");  // 20 characters
    good.insured.insurerNumber = "01130012";
    CHECK(validate(good).empty());  // no birth date needed
    for (const char* bad : {"", "Ab-0123456789-abcdefg", "P 1", "Ｐ１", "P_1", "P/1"}) {
        INFO(bad);
        model::ReferenceNumberRegistration r = good;
        r.referenceNumber = bad;
        CHECK(fieldNames(validate(r)) == std::vector<std::string>{"ReferenceNumber"});
    }
    model::ReferenceNumberRegistration keys = good;
    keys.insured.insurerNumber = "01130013";  // wrong check digit
    keys.insured.cardNumber = "  ";
    keys.insured.branchNumber = "1";
    CHECK(fieldNames(validate(keys)) ==
          std::vector<std::string>{"InsurerNumber", "InsuredIdentificationNumber", "InsuredBranchNumber"});
}

TEST_CASE("reference-number documents of the wrong shape are refused", "[spec][reference]") {
    CHECK_THROWS_AS(decodeReferenceNumberRequest(parseXml("<Other><MessageBody/></Other>").root), KakehashiError);
    CHECK_THROWS_AS(decodeReferenceNumberResponse(parseXml("<XmlMsg/>").root), KakehashiError);
}
