// Tests of the medication / checkup information messages (YZKsiquc01, TKKsiquc01): round trips in UTF-8 and
// Shift_JIS, the header's own element names, liberal reading, file names, the opaque result and validation.
#include <catch2/catch.hpp>

#include "spec_test_support.hpp"

#include <string>
#include <vector>

#include "model/errors.hpp"
#include "spec/medical_info_messages.hpp"

using kh::model::ErrorId;
using kh::model::KakehashiError;
using namespace kh::spec;
namespace model = kh::model;

using namespace kh::spec::test;

namespace {
const Encoding kBothEncodings[] = {Encoding::Utf8, Encoding::ShiftJis};

model::MedicalInfoRequest sampleRequest() {
    model::MedicalInfoRequest m;
    m.insured = {"01130012", "ＡＢ-１２", "１２３４５～Ⅲ", "01", ""};  // real clients send no birth date
    m.scope = model::ConsentScope::Medication;
    m.startDate = "202605";
    m.endDate = "202611";
    m.fileCategory = 2;
    m.treatment = model::MedicalTreatment::HomeVisit;
    m.arbitraryFileIdentifier = "薬剤-①";
    m.institutionCode = "1312345679";
    return m;
}

std::vector<std::string> fields(const model::MedicalInfoRequest& m) {
    const auto& p = m.insured;
    return {p.insurerNumber, p.cardSymbol, p.cardNumber, p.branchNumber, p.birthDate,
            model::consentScopeName(m.scope), m.startDate, m.endDate, std::to_string(m.fileCategory),
            model::medicalTreatmentCode(m.treatment), m.arbitraryFileIdentifier, m.institutionCode};
}

model::MedicalInfoRequest roundTrip(const model::MedicalInfoRequest& m, Encoding encoding) {
    const ParsedXml parsed = parseXml(writeXml(encode(m), encoding));
    CHECK(parsed.encoding == encoding);
    return decodeMedicalInfoRequest(parsed.root, m.scope);
}
}  // namespace

TEST_CASE("YZKsiquc01req / TKKsiquc01req round-trip in UTF-8 and Shift_JIS for every scope", "[spec][medical]") {
    for (auto scope : {model::ConsentScope::Medication, model::ConsentScope::Checkup, model::ConsentScope::Clinical}) {
        model::MedicalInfoRequest m = sampleRequest();
        m.scope = scope;
        m.fileCategory = scope == model::ConsentScope::Checkup ? 1 : 2;
        if (scope != model::ConsentScope::Medication) m.startDate = m.endDate = "";  // months: medication only
        for (Encoding enc : kBothEncodings) CHECK(fields(roundTrip(m, enc)) == fields(m));
    }
}

TEST_CASE("the request uses its own header names and the documented order", "[spec][medical]") {
    const XmlElement tree = encode(sampleRequest());
    CHECK(childNames(*tree.child("MessageHeader")) ==
          std::vector<std::string>{"MedicalInstitutionCode", "InsurerNumber", "InsuranceCardSymbol",
                                   "InsuredPersonIdentificationNumber", "BranchNumber", "ArbitraryFileIdentifier"});
    CHECK(childNames(*tree.child("MessageBody")) ==
          std::vector<std::string>{"StartDate", "EndDate", "FileCategory", "PrDiInfClassification", "MedicalTreatmentFlag"});
    CHECK(tree.child("MessageBody")->childText("MedicalTreatmentFlag") == "2");
    model::MedicalInfoRequest checkup = sampleRequest();
    checkup.scope = model::ConsentScope::Checkup;
    CHECK(childNames(*encode(checkup).child("MessageBody")) ==
          std::vector<std::string>{"FileCategory", "PrDiInfClassification", "MedicalTreatmentFlag"});
}

TEST_CASE("absent codes read as the defaults, garbled ones as 0 that validation names", "[spec][medical]") {
    const auto plain = decodeMedicalInfoRequest(parseXml(
        "<XmlMsg><MessageBody><Birthdate>19450401</Birthdate></MessageBody>"
        "<MessageHeader><BranchNumber>01</BranchNumber></MessageHeader></XmlMsg>").root,
        model::ConsentScope::Checkup);
    CHECK(plain.fileCategory == 2);
    CHECK(plain.treatment == model::MedicalTreatment::Normal);
    CHECK(plain.scope == model::ConsentScope::Checkup);
    CHECK(plain.insured.branchNumber == "01");
    const auto garbled = decodeMedicalInfoRequest(parseXml(
        "<XmlMsg><MessageBody><FileCategory>PDF</FileCategory><MedicalTreatmentFlag>9</MedicalTreatmentFlag>"
        "</MessageBody></XmlMsg>").root, model::ConsentScope::Medication);
    CHECK(garbled.fileCategory == 0);
    model::MedicalInfoRequest m = sampleRequest();
    m.fileCategory = garbled.fileCategory;
    m.treatment = garbled.treatment;
    CHECK(fieldNames(validate(m)) == std::vector<std::string>{"FileCategory", "MedicalTreatmentFlag"});
}

TEST_CASE("a medical-info request is validated field by field", "[spec][medical][validate]") {
    CHECK(validate(sampleRequest()).empty());
    model::MedicalInfoRequest open = sampleRequest();
    open.startDate.clear();
    open.endDate.clear();
    CHECK(validate(open).empty());  // the central system's default period
    model::MedicalInfoRequest m = sampleRequest();
    m.institutionCode = "1312345678";
    m.insured.branchNumber.clear();
    m.startDate = "202612";
    CHECK(fieldNames(validate(m)) == std::vector<std::string>{"MedicalInstitutionCode", "InsuredBranchNumber", "EndDate"});
    m = sampleRequest();
    m.endDate = "2026112";
    m.arbitraryFileIdentifier = std::string(65, 'x');
    CHECK(fieldNames(validate(m)) == std::vector<std::string>{"EndDate", "ArbitraryFileIdentifier"});
}

TEST_CASE("medication and checkup file names give kinds, scopes and result names", "[spec][medical][names]") {
    CHECK(kindFromFileName("YZKsiquc01req_202611240001.xml") == MessageKind::MedicationInfo);
    CHECK(kindFromFileName("TKKsiquc01req_202611240001.xml") == MessageKind::CheckupInfo);
    CHECK(kindFromFileName("YZKmuquc01req_202611240001.xml") == MessageKind::Unknown);
    CHECK(kindFromFileName("XYZsiquc01req_202611240001.xml") == MessageKind::Unknown);
    CHECK(kindFromFileName("YZKsiquc01res_202611240001.xml") == MessageKind::Unknown);
    CHECK(medicalInfoScopeFromFileName("YZKsiquc01req_1.xml") == model::ConsentScope::Medication);
    CHECK(medicalInfoScopeFromFileName("TKKsiquc01req_1.xml") == model::ConsentScope::Checkup);
    CHECK_FALSE(medicalInfoScopeFromFileName("OQSsiquc01req_1.xml"));
    CHECK(resultFileName("YZKsiquc01req_202611240001.xml") == "YZKsiquc01res_202611240001.xml");
    CHECK(errorFileName("TKKsiquc01req_202611240001.xml") == "TKKsiquc01req_202611240001.err");
    CHECK(medicalInfoResultFileName("YZKsiquc01req_202611240001.xml", 2) == "YZKsiquc01res_202611240001.xml");
    CHECK(medicalInfoResultFileName("TKKsiquc01req_202611240001.xml", 1) == "TKKsiquc01res_202611240001.pdf");
    CHECK(medicalInfoResultFileName("../YZKsiquc01req_1.xml", 1).empty());
}

TEST_CASE("the result document is kept byte for byte; ResultCode 1 is success, MessageContents says why not",
          "[spec][medical]") {
    const std::string xml =
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><XmlMsg><MessageHeader><ResultCode>2</ResultCode>"
        "<MessageContents>\x93\xaf\x88\xd3</MessageContents></MessageHeader><MessageBody>"
        "<MeTrMonthInf><DrugN>\x83\x41</DrugN></MeTrMonthInf></MessageBody></XmlMsg>";
    const auto r = decodeMedicalInfoResult(xml, 2);
    CHECK(r.contentType == "application/xml");
    CHECK(r.processingStatus == "2");
    CHECK(r.processingCode == "2");
    CHECK(r.processingMessage == "同意");
    CHECK(r.body == xml);
    CHECK(decodeMedicalInfoResult("<XmlMsg><MessageHeader><ResultCode>1</ResultCode></MessageHeader><MessageBody/></XmlMsg>", 2)
              .processingStatus == "1");
    const std::string pdf = std::string("%PDF-1.7\n\0\xff binary", 19);
    const auto p = decodeMedicalInfoResult(pdf, 1);
    CHECK(p.contentType == "application/pdf");
    CHECK(p.body == pdf);
    CHECK_THROWS_AS(decodeMedicalInfoResult("<XmlMsg/>", 1), KakehashiError);
    CHECK_THROWS_AS(decodeMedicalInfoResult("%PDF-1.7", 2), KakehashiError);
    CHECK_THROWS_AS(decodeMedicalInfoRequest(parseXml("<XmlMsg/>").root, model::ConsentScope::Medication),
                    KakehashiError);
}
