// Tests of the eligibility messages (OQSsiquc01, OQSmuquc01, OQSmuquc02): round trips in UTF-8 and
// Shift_JIS, liberal reading, element order when writing, and the shape checks.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "spec/messages.hpp"

using namespace kh::spec;
namespace model = kh::model;

namespace {
// Every character class receipt computers send: half-width kana, 〓 (外字), full-width space, ①, Ⅲ, ～.
const std::string kName = "山田　〓太郎①";
const std::string kKana = "ﾔﾏﾀﾞ ﾀﾛｳ";

model::EligibilityInquiry sampleInquiry(const std::string& id) {
    model::EligibilityInquiry q;
    q.insured = {"  123456", "ＡＢ-１２", "１２３４５～Ⅲ", "01", "19800401"};
    q.limitCertificateConsent = true;
    q.arbitraryIdentifier = id;
    return q;
}

model::EligibilityRecord sampleRecord() {
    model::EligibilityRecord r;
    r.insuredCardClassification = "01";
    r.insurerNumber = "  123456";
    r.insurerName = "品川区（国保）Ⅲ";
    r.cardSymbol = "ＡＢ-１２";
    r.cardNumber = "１２３４５～Ⅲ";
    r.branchNumber = "01";
    r.personalFamilyClassification = "1";
    r.insuredName = kName;
    r.name = kName;
    r.nameOfOther = "ﾔﾏﾀﾞ";
    r.nameKana = kKana;
    r.nameOfOtherKana = "ﾀﾛ";
    r.sex1 = "1";
    r.sex2 = "1";
    r.birthDate = "19800401";
    r.address = "東京都品川区①－２";
    r.postNumber = "140-0001";
    r.qualificationDate = "20200401";
    r.certificateIssuanceDate = "20200401";
    r.cardValidDate = "20200401";
    r.cardExpirationDate = "20270331";
    r.partialContributionRatio = "030";
    r.preschoolClassification = "2";
    r.elderlyRecipient = model::ElderlyRecipientCertificate{"20240801", "20240801", "20250731", "020"};
    r.limitCertificateConsentFlag = "1";
    r.limitCertificateConsentTime = "20261124093000";
    r.limitCertificate = model::LimitCertificate{"01", "B01", "20240801", "20240801", "20250731", "20240101"};
    r.referenceNumber = "P-0001";
    return r;
}

model::EligibilityResult sampleResult(const std::string& id, bool withRecord) {
    model::EligibilityResult r;
    r.processingStatus = withRecord ? "1" : "2";
    r.processingCode = withRecord ? "" : "OQC-OWSE0900000";
    r.processingMessage = withRecord ? "" : "該当資格なし①";
    r.validity = withRecord ? model::Validity::Valid : model::Validity::NotFound;
    r.validityRaw = withRecord ? "1" : "4";
    r.inquiry = sampleInquiry(id);
    if (withRecord) r.records = {sampleRecord()};
    return r;
}

ResultHeader sampleResultHeader() {
    ResultHeader h;
    h.processExecutionTime = "20261124093001";
    h.confirmationDate = "20261124";
    h.institutionCode = "1312345678";
    h.arbitraryFileIdentifier = "FILE-1";
    return h;
}

RequestHeader sampleRequestHeader() { return {"20261124", "1312345678", "FILE-1"}; }

std::vector<std::string> fields(const model::EligibilityInquiry& q) {
    const auto& p = q.insured;
    return {p.insurerNumber, p.cardSymbol, p.cardNumber, p.branchNumber, p.birthDate,
            q.limitCertificateConsent ? "1" : "0", q.arbitraryIdentifier};
}

std::vector<std::string> fields(const model::EligibilityRecord& r) {
    std::vector<std::string> f = {
        r.insuredCardClassification, r.insurerNumber, r.insurerName, r.cardSymbol, r.cardNumber, r.branchNumber,
        r.personalFamilyClassification, r.insuredName, r.name, r.nameOfOther, r.nameKana, r.nameOfOtherKana,
        r.sex1, r.sex2, r.birthDate, r.address, r.postNumber, r.qualificationDate, r.disqualificationDate,
        r.certificateIssuanceDate, r.cardValidDate, r.cardExpirationDate, r.partialContributionRatio,
        r.preschoolClassification, r.reasonOfLoss, r.limitCertificateConsentFlag, r.limitCertificateConsentTime,
        r.referenceNumber};
    f.push_back(r.elderlyRecipient ? "elderly" : "-");
    if (r.elderlyRecipient) {
        const auto& e = *r.elderlyRecipient;
        f.insert(f.end(), {e.date, e.validStartDate, e.validEndDate, e.contributionRatio});
    }
    f.push_back(r.limitCertificate ? "limit" : "-");
    if (r.limitCertificate) {
        const auto& l = *r.limitCertificate;
        f.insert(f.end(), {l.classification, l.classificationFlag, l.date, l.validStartDate, l.validEndDate,
                           l.longTermDate});
    }
    return f;
}

std::vector<std::string> fields(const model::EligibilityResult& r) {
    std::vector<std::string> f = {r.processingStatus, r.processingCode, r.processingMessage, r.validityRaw,
                                  std::to_string(static_cast<int>(r.validity))};
    const auto q = fields(r.inquiry);
    f.insert(f.end(), q.begin(), q.end());
    f.push_back(!r.records.empty() ? "record" : "-");
    if (!r.records.empty()) {
        const auto rec = fields(r.records.front());
        f.insert(f.end(), rec.begin(), rec.end());
    }
    return f;
}

std::vector<std::string> fields(const RequestHeader& h) {
    return {h.confirmationDate, h.institutionCode, h.arbitraryFileIdentifier};
}

std::vector<std::string> fields(const ResultHeader& h) {
    return {h.processExecutionTime, h.confirmationDate, h.institutionCode, h.arbitraryFileIdentifier,
            h.referenceClassification, h.segmentOfResult, h.errorCode, h.errorMessage, h.characterCodeIdentifier};
}

std::vector<std::string> childNames(const XmlElement& e) {
    std::vector<std::string> names;
    for (const auto& c : e.children) names.push_back(c.name);
    return names;
}

// Writes a message in `encoding` and reads it back with `decode`.
template <typename Message, typename Decode>
Message roundTrip(const Message& m, Encoding encoding, Decode decode) {
    const std::string bytes = writeXml(encode(m), encoding);
    const ParsedXml parsed = parseXml(bytes);
    CHECK(parsed.encoding == encoding);
    return decode(parsed.root);
}

const Encoding kBothEncodings[] = {Encoding::Utf8, Encoding::ShiftJis};
}  // namespace

TEST_CASE("OQSsiquc01req round-trips in UTF-8 and Shift_JIS", "[spec][messages]") {
    const SingleInquiryRequest m{sampleRequestHeader(), sampleInquiry("受付①")};
    for (Encoding enc : kBothEncodings) {
        const auto back = roundTrip(m, enc, decodeSingleInquiryRequest);
        CHECK(fields(back.header) == fields(m.header));
        CHECK(fields(back.inquiry) == fields(m.inquiry));
    }
}

TEST_CASE("OQSmuquc01req round-trips every inquiry in order", "[spec][messages]") {
    const BatchUploadRequest m{sampleRequestHeader(), {sampleInquiry("1"), sampleInquiry("2"), sampleInquiry("3")}};
    for (Encoding enc : kBothEncodings) {
        const auto back = roundTrip(m, enc, decodeBatchUploadRequest);
        CHECK(fields(back.header) == fields(m.header));
        REQUIRE(back.inquiries.size() == 3);
        for (size_t i = 0; i < 3; ++i) CHECK(fields(back.inquiries[i]) == fields(m.inquiries[i]));
    }
}

TEST_CASE("OQSmuquc02req round-trips the reception number", "[spec][messages]") {
    const BatchDownloadRequest m{{"", "1312345678", ""}, "R202611240001"};
    for (Encoding enc : kBothEncodings) {
        const auto back = roundTrip(m, enc, decodeBatchDownloadRequest);
        CHECK(fields(back.header) == fields(m.header));
        CHECK(back.receptionNumber == "R202611240001");
    }
}

TEST_CASE("OQSsiquc01res round-trips a full record, and a whole-message error without one", "[spec][messages]") {
    const SingleInquiryResponse ok{sampleResultHeader(), sampleResult("A1", true)};
    SingleInquiryResponse error{sampleResultHeader(), std::nullopt};
    error.header.segmentOfResult = "9";
    error.header.errorCode = "KKH-E1001";
    error.header.errorMessage = "XMLの形式が正しくありません";
    for (Encoding enc : kBothEncodings) {
        const auto back = roundTrip(ok, enc, decodeSingleInquiryResponse);
        CHECK(fields(back.header) == fields(ok.header));
        REQUIRE(back.result);
        CHECK(fields(*back.result) == fields(*ok.result));
        const auto backError = roundTrip(error, enc, decodeSingleInquiryResponse);
        CHECK(fields(backError.header) == fields(error.header));
        CHECK_FALSE(backError.result);
    }
}

TEST_CASE("OQSmuquc01res round-trips reception number and time", "[spec][messages]") {
    const BatchAcceptedResponse m{sampleResultHeader(), "R202611240001", "20261124093002"};
    for (Encoding enc : kBothEncodings) {
        const auto back = roundTrip(m, enc, decodeBatchAcceptedResponse);
        CHECK(fields(back.header) == fields(m.header));
        CHECK(back.receptionNumber == m.receptionNumber);
        CHECK(back.receptionDateTime == m.receptionDateTime);
    }
}

TEST_CASE("OQSmuquc02res round-trips units and writes counts computed from them", "[spec][messages]") {
    const BatchResultResponse m{sampleResultHeader(), "R202611240001",
                                {sampleResult("1", true), sampleResult("2", false), sampleResult("3", true)}};
    const XmlElement tree = encode(m);
    const XmlElement& header = *tree.child("MessageHeader");
    CHECK(header.childText("ReceptionNumber") == "R202611240001");
    CHECK(header.childText("NumberOfProcessingResult") == "3");
    CHECK(header.childText("NumberOfNormalProcessing") == "2");
    CHECK(header.childText("NumberOfError") == "1");
    for (Encoding enc : kBothEncodings) {
        const auto back = roundTrip(m, enc, decodeBatchResultResponse);
        CHECK(fields(back.header) == fields(m.header));
        CHECK(back.receptionNumber == m.receptionNumber);
        REQUIRE(back.units.size() == 3);
        for (size_t i = 0; i < 3; ++i) CHECK(fields(back.units[i]) == fields(m.units[i]));
    }
}

TEST_CASE("a Shift_JIS result file is decoded byte-exactly", "[spec][messages]") {
    const std::string doc =
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\r\n"
        "<XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult><CharacterCodeIdentifier>1"
        "</CharacterCodeIdentifier></MessageHeader><MessageBody>"
        "<ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>1</QualificationValidity>"
        "<ResultList><ResultOfQualificationConfirmation>"
        "<InsurerNumber>  123456</InsurerNumber>"
        "<Name>\x8E\x52\x93\x63\x81\x40\x81\xAC\x91\xBE\x98\x59\x87\x40</Name>"  // 山田　〓太郎①
        "<NameKana>\xD4\xCF\xC0\xDE \xC0\xDB\xB3</NameKana>"                    // ﾔﾏﾀﾞ ﾀﾛｳ
        "<InsuredIdentificationNumber>\x87\x56\x81\x60</InsuredIdentificationNumber>"  // Ⅲ～
        "</ResultOfQualificationConfirmation></ResultList></MessageBody></XmlMsg>\r\n";
    const ParsedXml parsed = parseXml(doc);
    CHECK(parsed.encoding == Encoding::ShiftJis);
    const auto m = decodeSingleInquiryResponse(parsed.root);
    REQUIRE(m.result);
    REQUIRE(m.result->primary());
    CHECK(m.result->validity == model::Validity::Valid);
    CHECK(m.result->primary()->name == kName);
    CHECK(m.result->primary()->nameKana == kKana);
    CHECK(m.result->primary()->cardNumber == "Ⅲ～");
    CHECK(m.result->primary()->insurerNumber == "  123456");
}

TEST_CASE("a 6-digit insurer number padded with two spaces is kept raw", "[spec][messages]") {
    const auto m = decodeSingleInquiryRequest(parseXml(
        "<XmlMsg><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>  138057</InsurerNumber>"
        "</QualificationConfirmSearchInfo></MessageBody></XmlMsg>").root);
    CHECK(m.inquiry.insured.insurerNumber == "  138057");
    const std::string written = writeXml(encode(m), Encoding::Utf8);
    CHECK(written.find("<InsurerNumber>  138057</InsurerNumber>") != std::string::npos);
}

TEST_CASE("reading accepts any order, ignores unknown elements and treats missing children as empty", "[spec][messages]") {
    const auto m = decodeSingleInquiryRequest(parseXml(
        "<?xml version='1.0'?><ns:XmlMsg xmlns:ns='urn:x'>"
        "<ns:MessageBody><Extra><Deep>x</Deep></Extra><QualificationConfirmSearchInfo>"
        "<ArbitraryIdentifier>id-9</ArbitraryIdentifier><Unknown>?</Unknown><Birthdate>19800401</Birthdate>"
        "<InsuredIdentificationNumber>123</InsuredIdentificationNumber><InsurerNumber>01130012</InsurerNumber>"
        "</QualificationConfirmSearchInfo></ns:MessageBody>"
        "<ns:MessageHeader><MedicalInstitutionCode>1312345678</MedicalInstitutionCode><Foo/></ns:MessageHeader>"
        "</ns:XmlMsg>").root);
    CHECK(m.header.institutionCode == "1312345678");
    CHECK(m.header.confirmationDate.empty());
    CHECK(m.inquiry.insured.insurerNumber == "01130012");
    CHECK(m.inquiry.insured.cardNumber == "123");
    CHECK(m.inquiry.insured.birthDate == "19800401");
    CHECK(m.inquiry.insured.cardSymbol.empty());
    CHECK(m.inquiry.arbitraryIdentifier == "id-9");
    CHECK_FALSE(m.inquiry.limitCertificateConsent);
}

TEST_CASE("a batch unit may carry its record under ResultList and ReferenceNumber at unit level", "[spec][messages]") {
    const auto m = decodeBatchResultResponse(parseXml(
        "<XmlMsg><MessageHeader><ReceptionNumber>R1</ReceptionNumber></MessageHeader><MessageBody>"
        "<BulkConfirmUnit><ReferenceNumber>P-9</ReferenceNumber><ResultList><ResultOfQualificationConfirmation>"
        "<Name>x</Name></ResultOfQualificationConfirmation></ResultList></BulkConfirmUnit>"
        "<BulkConfirmUnit><QualificationValidity>7</QualificationValidity></BulkConfirmUnit>"
        "</MessageBody></XmlMsg>").root);
    CHECK(m.receptionNumber == "R1");
    REQUIRE(m.units.size() == 2);
    REQUIRE(m.units[0].primary());
    CHECK(m.units[0].primary()->referenceNumber == "P-9");
    CHECK(m.units[1].validity == model::Validity::Unknown);
    CHECK(m.units[1].validityRaw == "7");
    CHECK(m.units[1].records.empty());
}

TEST_CASE("QualificationValidity codes map to the model and unknown codes stay raw", "[spec][messages]") {
    const std::pair<const char*, model::Validity> codes[] = {
        {"1", model::Validity::Valid},    {"2", model::Validity::Invalid},  {"3", model::Validity::InvalidNewer},
        {"4", model::Validity::NotFound}, {"5", model::Validity::Multiple}, {"6", model::Validity::ValidUnregistered},
        {"0", model::Validity::Unknown},  {"9", model::Validity::Unknown},  {"", model::Validity::Unknown}};
    for (const auto& [code, validity] : codes) {
        INFO(code);
        const auto m = decodeSingleInquiryResponse(parseXml(
            std::string("<XmlMsg><MessageBody><QualificationValidity>") + code +
            "</QualificationValidity></MessageBody></XmlMsg>").root);
        REQUIRE(m.result);
        CHECK(m.result->validity == validity);
        CHECK(m.result->validityRaw == code);
    }
}

TEST_CASE("results are written in the documented element order, optional fields only when set", "[spec][messages]") {
    SingleInquiryResponse m{sampleResultHeader(), sampleResult("A1", true)};
    m.result->primary()->elderlyRecipient.reset();
    const XmlElement tree = encode(m);
    CHECK(childNames(tree) == std::vector<std::string>{"MessageHeader", "MessageBody"});
    CHECK(childNames(*tree.child("MessageHeader")) ==
          std::vector<std::string>{"ProcessExecutionTime", "QualificationConfirmationDate", "MedicalInstitutionCode",
                                   "ArbitraryFileIdentifier", "ReferenceClassification", "SegmentOfResult",
                                   "CharacterCodeIdentifier"});
    const XmlElement& body = *tree.child("MessageBody");
    CHECK(childNames(body) == std::vector<std::string>{"ProcessingResultStatus", "QualificationValidity", "ResultList",
                                                       "QualificationConfirmSearchInfo"});
    const XmlElement& record = *body.child("ResultList")->child("ResultOfQualificationConfirmation");
    const auto names = childNames(record);
    CHECK(names.front() == "InsuredCardClassification");
    CHECK(names.back() == "ReferenceNumber");
    CHECK(record.child("DisqualificationDate") == nullptr);  // empty → not written
    CHECK(record.child("ElderlyRecipientCertificateInfo") == nullptr);
    CHECK(record.child("LimitApplicationCertificateRelatedInfo")->children.size() == 6);
}
