// Tests of the consented-patients messages (OQSmuhvq / OQSmuonq): the 01req round trip and validation, file
// names, and the consent block, MedicalTreatmentFlag and ExaminationDate inside a 02res batch unit.
#include <catch2/catch.hpp>

#include "spec_test_support.hpp"

#include <string>
#include <vector>

#include "model/errors.hpp"
#include "spec/home_consent_messages.hpp"

using kh::model::KakehashiError;
using namespace kh::spec;
namespace model = kh::model;

using namespace kh::spec::test;

namespace {
const Encoding kBothEncodings[] = {Encoding::Utf8, Encoding::ShiftJis};

ConsentListRequest byConsentDate() {
    ConsentListRequest m;
    m.header = {"", "1312345679", "在宅-①"};
    m.consentDateFrom = "20261101";
    m.consentDateTo = "20261130";
    m.medicalTreatmentFlag = "2";
    return m;
}

ConsentListRequest byExaminationDate() {
    ConsentListRequest m = byConsentDate();
    m.consentDateFrom.clear();
    m.consentDateTo.clear();
    m.examinationDateFrom = "20261125";
    m.examinationDateTo = "20261125";
    m.medicalTreatmentFlag = "3";
    return m;
}

std::vector<std::string> fields(const ConsentListRequest& m) {
    return {m.header.confirmationDate, m.header.institutionCode, m.header.arbitraryFileIdentifier,
            m.consentDateFrom, m.consentDateTo, m.examinationDateFrom, m.examinationDateTo, m.medicalTreatmentFlag};
}

std::vector<std::string> fields(const std::optional<model::ConsentBlock>& b) {
    if (!b) return {"-"};
    std::vector<std::string> f;
    for (const auto* s : {&b->checkup, &b->medication, &b->clinical, &b->operation})
        f.insert(f.end(), {s->flag, s->consTime, s->availableTime});
    return f;
}

// A consented patient's unit: the full record with the consent block, how and when they are seen.
model::BatchUnit consentedUnit() {
    model::BatchUnit u;
    u.validity = model::Validity::Valid;
    u.validityRaw = "1";
    u.medicalTreatmentFlag = "2";
    u.examinationDate = "20261125";
    model::EligibilityRecord r;
    r.insurerNumber = "01130012";
    r.cardSymbol = "ＡＢ-１２";
    r.cardNumber = "1234";
    r.branchNumber = "01";
    r.name = "在宅　〓花子①";
    r.birthDate = "19450401";
    model::ConsentBlock consent;
    consent.checkup = {"0", "", ""};
    consent.medication = {"1", "20261120101500", "20261125235959"};
    consent.clinical = {"1", "20261120101500", "20261125"};
    r.consent = consent;  // operation: absent
    r.referenceNumber = "P-0001";
    u.records = {r};
    return u;
}
}  // namespace

TEST_CASE("OQSmuhvq01req / OQSmuonq01req round-trip either range kind in UTF-8 and Shift_JIS", "[spec][consent]") {
    for (const auto& m : {byConsentDate(), byExaminationDate()})
        for (Encoding enc : kBothEncodings) CHECK(fields(roundTrip(m, enc, decodeConsentListRequest)) == fields(m));
}

TEST_CASE("the consented-patients request is written with institution only and the given range", "[spec][consent]") {
    const XmlElement tree = encode(byConsentDate());
    CHECK(childNames(*tree.child("MessageHeader")) ==
          std::vector<std::string>{"MedicalInstitutionCode", "ArbitraryFileIdentifier"});
    const XmlElement& info = *tree.child("MessageBody")->child("QualificationConfirmSearchInfo");
    CHECK(childNames(info) == std::vector<std::string>{"ConsentDateFrom", "ConsentDateTo", "MedicalTreatmentFlag"});
    CHECK(childNames(*encode(byExaminationDate()).child("MessageBody")->child("QualificationConfirmSearchInfo")) ==
          std::vector<std::string>{"ExaminationDateFrom", "ExaminationDateTo", "MedicalTreatmentFlag"});
}

TEST_CASE("a consented-patients request needs exactly one ordered range of real days", "[spec][consent]") {
    CHECK(validate(byConsentDate()).empty());
    CHECK(validate(byExaminationDate()).empty());
    ConsentListRequest both = byConsentDate();
    both.examinationDateFrom = "20261125";
    CHECK(fieldNames(validate(both)) == std::vector<std::string>{"QualificationConfirmSearchInfo"});
    ConsentListRequest none = byConsentDate();
    none.consentDateFrom.clear();
    none.consentDateTo.clear();
    CHECK(fieldNames(validate(none)) == std::vector<std::string>{"QualificationConfirmSearchInfo"});
    ConsentListRequest reversed = byExaminationDate();
    reversed.examinationDateFrom = "20261126";
    CHECK(fieldNames(validate(reversed)) == std::vector<std::string>{"ExaminationDateTo"});
    ConsentListRequest badDays = byConsentDate();
    badDays.consentDateFrom = "20261131";
    badDays.consentDateTo = "2026-11-30";
    CHECK(fieldNames(validate(badDays)) == std::vector<std::string>{"ConsentDateFrom", "ConsentDateTo"});
    ConsentListRequest halfRange = byConsentDate();
    halfRange.consentDateTo.clear();
    CHECK(fieldNames(validate(halfRange)) == std::vector<std::string>{"ConsentDateTo"});
}

TEST_CASE("MedicalTreatmentFlag must be 2 or 3 and match the file name's kind", "[spec][consent]") {
    for (const char* flag : {"1", "4", "", "x"}) {
        INFO(flag);
        ConsentListRequest m = byConsentDate();
        m.medicalTreatmentFlag = flag;
        CHECK(fieldNames(validate(m)) == std::vector<std::string>{"MedicalTreatmentFlag"});
    }
    CHECK(validate(byConsentDate(), model::MedicalTreatment::HomeVisit).empty());
    CHECK(fieldNames(validate(byConsentDate(), model::MedicalTreatment::Online)) ==
          std::vector<std::string>{"MedicalTreatmentFlag"});
    ConsentListRequest wrongInstitution = byConsentDate();
    wrongInstitution.header.institutionCode = "1312345678";
    CHECK(fieldNames(validate(wrongInstitution)) == std::vector<std::string>{"MedicalInstitutionCode"});
}

TEST_CASE("consented-patients file names map to kinds and treatments", "[spec][consent][names]") {
    CHECK(kindFromFileName("OQSmuhvq01req_202611240001.xml") == MessageKind::ConsentListUpload);
    CHECK(kindFromFileName("OQSmuonq01req_202611240001.xml") == MessageKind::ConsentListUpload);
    CHECK(kindFromFileName("OQSmuhvq02req_202611240001.xml") == MessageKind::ConsentListDownload);
    CHECK(kindFromFileName("OQSmuonq02req_202611240001.xml") == MessageKind::ConsentListDownload);
    CHECK(kindFromFileName("OQSmuhvq01res_202611240001.xml") == MessageKind::Unknown);
    CHECK(consentListTreatmentFromFileName("OQSmuhvq02req_1.xml") == model::MedicalTreatment::HomeVisit);
    CHECK(consentListTreatmentFromFileName("OQSmuonq01req_1.xml") == model::MedicalTreatment::Online);
    CHECK_FALSE(consentListTreatmentFromFileName("OQSmuquc01req_1.xml"));
    CHECK(resultFileName("OQSmuonq02req_202611240001.xml") == "OQSmuonq02res_202611240001.xml");
}

TEST_CASE("a 02res unit round-trips the consent block, treatment and examination date", "[spec][consent]") {
    ResultHeader header;
    header.processExecutionTime = "20261124093001";
    header.institutionCode = "1312345679";
    model::BatchUnit without = consentedUnit();
    without.primary()->consent.reset();
    without.medicalTreatmentFlag.clear();
    without.examinationDate.clear();
    const ConsentListResultResponse m{header, "R202611240001", {consentedUnit(), without}};
    for (Encoding enc : kBothEncodings) {
        const auto back = roundTrip(m, enc, decodeBatchResultResponse);
        REQUIRE(back.units.size() == 2);
        REQUIRE(back.units[0].primary());
        CHECK(fields(back.units[0].primary()->consent) == fields(m.units[0].primary()->consent));
        CHECK(back.units[0].primary()->name == "在宅　〓花子①");
        CHECK(back.units[0].medicalTreatmentFlag == "2");
        CHECK(back.units[0].examinationDate == "20261125");
        REQUIRE(back.units[1].primary());
        CHECK_FALSE(back.units[1].primary()->consent);
        CHECK(back.units[1].medicalTreatmentFlag.empty());
    }
}

TEST_CASE("the consent block is written in order, only the elements that are set; a unit's ReferenceNumber "
          "stands beside its record", "[spec][consent]") {
    const XmlElement tree = encode(BatchResultResponse{{}, "R1", {consentedUnit()}});
    const XmlElement& unit = *tree.child("MessageBody")->child("BulkConfirmUnit");
    const auto unitNames = childNames(unit);
    CHECK(std::vector<std::string>(unitNames.end() - 4, unitNames.end()) ==
          std::vector<std::string>{"MedicalTreatmentFlag", "ExaminationDate", "ResultOfQualificationConfirmation",
                                   "ReferenceNumber"});
    const auto names = childNames(*unit.child("ResultOfQualificationConfirmation"));
    CHECK(std::vector<std::string>(names.end() - 7, names.end()) ==
          std::vector<std::string>{"SpecificHealthCheckupsInfoConsFlg", "PharmacistsInfoConsFlg",
                                   "PharmacistsInfoConsTime", "PharmacistsInfoAvailableTime", "DiagnosisInfoConsFlg",
                                   "DiagnosisInfoConsTime", "DiagnosisInfoAvailableTime"});
    // Existing results without a consent block are written exactly as before.
    model::BatchUnit plain = consentedUnit();
    plain.primary()->consent.reset();
    const auto plainNames = childNames(
        *encode(BatchResultResponse{{}, "R1", {plain}}).child("MessageBody")->child("BulkConfirmUnit")
             ->child("ResultOfQualificationConfirmation"));
    for (const auto& n : plainNames) CHECK(n.find("Info") == std::string::npos);
}

TEST_CASE("a consent block is read in any order, and partly, from a single or a batch result", "[spec][consent]") {
    const auto m = decodeBatchResultResponse(parseXml(
        "<XmlMsg><MessageBody><BulkConfirmUnit><ExaminationDate>20261125</ExaminationDate>"
        "<ResultOfQualificationConfirmation><PharmacistsInfoAvailableTime>20261125</PharmacistsInfoAvailableTime>"
        "<Name>x</Name><PharmacistsInfoConsFlg>1</PharmacistsInfoConsFlg><OperationInfoConsFlg/>"
        "</ResultOfQualificationConfirmation></BulkConfirmUnit></MessageBody></XmlMsg>").root);
    REQUIRE(m.units.size() == 1);
    REQUIRE(m.units[0].primary());
    REQUIRE(m.units[0].primary()->consent);
    const model::ConsentBlock& c = *m.units[0].primary()->consent;
    CHECK(c.medication.flag == "1");
    CHECK(c.medication.availableTime == "20261125");
    CHECK(c.medication.consTime.empty());
    CHECK(c.checkup.flag.empty());
    CHECK(m.units[0].examinationDate == "20261125");
    const auto single = decodeSingleInquiryResponse(parseXml(
        "<XmlMsg><MessageBody><ResultList><ResultOfQualificationConfirmation>"
        "<SpecificHealthCheckupsInfoConsFlg>1</SpecificHealthCheckupsInfoConsFlg>"
        "</ResultOfQualificationConfirmation></ResultList></MessageBody></XmlMsg>").root);
    REQUIRE(single.result);
    REQUIRE(single.result->primary());
    REQUIRE(single.result->primary()->consent);
    CHECK(single.result->primary()->consent->checkup.flag == "1");
}

TEST_CASE("the reception phases reuse the batch messages", "[spec][consent]") {
    const ConsentListAcceptedResponse accepted{{}, "R202611240001", "20261124093002"};
    CHECK(roundTrip(accepted, Encoding::ShiftJis, decodeBatchAcceptedResponse).receptionNumber == "R202611240001");
    const ConsentListDownloadRequest download{{"", "1312345679", ""}, "R202611240001"};
    CHECK(roundTrip(download, Encoding::Utf8, decodeBatchDownloadRequest).receptionNumber == "R202611240001");
    CHECK_THROWS_AS(decodeConsentListRequest(parseXml("<XmlMsg><MessageHeader/></XmlMsg>").root), KakehashiError);
}
