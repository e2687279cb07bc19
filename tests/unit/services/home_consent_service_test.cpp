// Tests of HomeConsentService (居宅同意取得型): the consent lists of both kinds of care are fetched for the
// look-back period and kept under the card's blind index; medical information is served only while a consent
// for its scope is in force — from the consent to its AvailableTime (a bare date: the end of that day, Japan
// time) — never after the window or a withdrawal, and a refusal drops what was cached. Outpatients are served
// under the consent given at the reader (a qualification's consent block), home care under the lists.
#include <catch2/catch.hpp>

#include <mutex>

#include "../error_of.hpp"
#include "services/home_consent_service.hpp"
#include "services/identity_index.hpp"
#include "store/settings.hpp"
#include "upstream_rig.hpp"

using namespace kh;
using model::ConsentScope;
using model::ConsentState;
using model::ErrorId;
using model::MedicalTreatment;
using test::FakeCentral;

namespace {
using std::chrono::hours;
using std::chrono::system_clock;

std::string japanAt(system_clock::duration fromNow) { return model::japanTimestamp(system_clock::now() + fromNow); }

// A consented patient's unit as the lists carry it: consent for `scope` from a day ago until `until`.
model::EligibilityResult consentedUnit(const std::string& cardNumber, MedicalTreatment treatment, ConsentScope scope,
                                       const std::string& until) {
    auto unit = test::validAnswer(test::inquiryFor(cardNumber));
    model::ConsentBlock block;
    auto& c = model::consentFor(block, scope);
    c.flag = "1";
    c.consTime = japanAt(-hours(24));
    c.availableTime = until;
    unit.records.at(0).consent = block;
    unit.medicalTreatmentFlag = model::medicalTreatmentCode(treatment);
    unit.examinationDate = model::JapanDate::today().str();
    return unit;
}

model::MedicalInfoRequest infoRequest(const std::string& cardNumber, ConsentScope scope, MedicalTreatment treatment) {
    model::MedicalInfoRequest r;
    r.insured = test::inquiryFor(cardNumber).insured;
    r.insured.birthDate.clear();  // medical-info requests carry none
    r.scope = scope;
    r.treatment = treatment;
    return r;
}

struct Rig {
    test::TempDir dir;
    store::Store store{dir.path + "/k.db", dir.path + "/keys"};
    store::Consents consents{store};
    store::Settings settings{store};
    FakeCentral central;
    services::HomeConsentService service{{test::kInstitution, 30, 300, 5, 7}, store.key(), consents, settings, central};
    std::mutex mutex;
    std::vector<upstream::ConsentListQuery> asked;
    std::vector<model::EligibilityResult> homeVisits, online;  // what the two lists hold
    int infoFetches = 0;

    Rig() {
        central.onConsentList = [this](const upstream::ConsentListQuery& q) {
            std::lock_guard<std::mutex> l(mutex);
            asked.push_back(q);
            return FakeCentral::Answer<upstream::BatchReceipt>::of(
                {q.treatment == MedicalTreatment::Online ? "ONLINE" : "HOME", "20261207090000"});
        };
        central.onDownloadBatch = [this](const std::string& reception, upstream::BatchKind kind) {
            CHECK((kind == upstream::BatchKind::ConsentOnline) == (reception == "ONLINE"));
            upstream::BatchDownload d;
            d.units = reception == "ONLINE" ? online : homeVisits;
            return FakeCentral::Answer<upstream::BatchDownload>::of(d);
        };
        central.onMedicalInfo = [this](const model::MedicalInfoRequest& r) {
            ++infoFetches;
            CHECK(r.institutionCode == test::kInstitution);
            return FakeCentral::Answer<model::MedicalInfoResult>::of({"1", "", "", "application/xml", "<薬剤情報/>"});
        };
    }
};
}  // namespace

TEST_CASE("both consent lists are asked for the look-back period and kept", "[services][home-consent]") {
    Rig rig;
    rig.homeVisits = {consentedUnit("3001", MedicalTreatment::HomeVisit, ConsentScope::Medication, japanAt(hours(24)))};
    rig.online = {consentedUnit("3002", MedicalTreatment::Online, ConsentScope::Clinical, japanAt(hours(24))),
                  consentedUnit("3003", MedicalTreatment::Online, ConsentScope::Checkup, japanAt(hours(24)))};
    CHECK(rig.service.refreshQualifications() == 3);
    REQUIRE(rig.asked.size() == 2);
    auto today = model::JapanDate::today();
    for (const auto& q : rig.asked) {
        CHECK(q.consentTo == today.str());
        CHECK(q.consentFrom == model::JapanDate::fromDayNumber(today.dayNumber() - 30).str());
    }
    CHECK(rig.asked[0].treatment != rig.asked[1].treatment);
    auto listed = rig.service.list("");
    CHECK(listed.size() == 3);
    CHECK(rig.service.consentState(test::inquiryFor("3001").insured, ConsentScope::Medication) == ConsentState::Valid);
    CHECK(rig.service.consentState(test::inquiryFor("3001").insured, ConsentScope::Clinical) == ConsentState::None);
    CHECK(rig.service.consentState(test::inquiryFor("3004").insured, ConsentScope::Medication) == ConsentState::None);
}

TEST_CASE("a list still processing after the timeout, or a link that is down, is an error", "[services][home-consent]") {
    Rig rig;
    rig.central.onDownloadBatch = [](const std::string&, upstream::BatchKind) {
        return FakeCentral::Answer<upstream::BatchDownload>::of({true, 1, {}});
    };
    {
        services::HomeConsentService quick({test::kInstitution, 30, 300, 0, 7}, rig.store.key(), rig.consents, rig.settings,
                                           rig.central);
        CHECK(test::errorOf([&] { quick.refreshQualifications(); }) == ErrorId::UpstreamUnavailable);
    }
    rig.central.onConsentList = nullptr;  // unreachable
    CHECK(test::errorOf([&] { rig.service.refreshQualifications(); }) == ErrorId::UpstreamUnavailable);
    rig.central.onConsentList = [](const upstream::ConsentListQuery&) {
        return FakeCentral::Answer<upstream::BatchReceipt>::refused("SIM-C001", "同意一覧を作れません");
    };
    CHECK(test::errorOf([&] { rig.service.refreshQualifications(); }) == ErrorId::UpstreamRejected);
}

TEST_CASE("medical information is served within the consent window, from the cache the second time",
          "[services][home-consent]") {
    Rig rig;
    rig.homeVisits = {consentedUnit("3011", MedicalTreatment::HomeVisit, ConsentScope::Medication, japanAt(hours(2)))};
    rig.service.refreshQualifications();
    auto req = infoRequest("3011", ConsentScope::Medication, MedicalTreatment::HomeVisit);
    auto first = rig.service.medicalInfo(req);
    REQUIRE(first.served);
    CHECK(first.source == "live");
    CHECK(first.body == "<薬剤情報/>");
    auto second = rig.service.medicalInfo(req);
    REQUIRE(second.served);
    CHECK(second.source == "cache");
    CHECK(rig.infoFetches == 1);
    // Another scope of the same patient has no consent: refused here, nothing asked upstream.
    auto clinical = rig.service.medicalInfo(infoRequest("3011", ConsentScope::Clinical, MedicalTreatment::HomeVisit));
    CHECK_FALSE(clinical.served);
    CHECK(clinical.refusal == ErrorId::ConsentMissing);
    CHECK(rig.infoFetches == 1);
}

TEST_CASE("after the window, medical information is refused as expired even when it was cached", "[services][home-consent]") {
    Rig rig;
    rig.homeVisits = {consentedUnit("3021", MedicalTreatment::HomeVisit, ConsentScope::Medication, japanAt(-hours(1)))};
    rig.service.refreshQualifications();
    CHECK(rig.service.consentState(test::inquiryFor("3021").insured, ConsentScope::Medication) == ConsentState::Expired);
    auto out = rig.service.medicalInfo(infoRequest("3021", ConsentScope::Medication, MedicalTreatment::HomeVisit));
    CHECK_FALSE(out.served);
    CHECK(out.refusal == ErrorId::ConsentExpired);
    CHECK(out.reason == std::string(model::refusalReason(ConsentState::Expired)));
    CHECK(rig.infoFetches == 0);
}

TEST_CASE("an AvailableTime that is only a date holds to the end of that Japan day", "[services][home-consent]") {
    Rig rig;
    auto today = model::JapanDate::today();
    auto yesterday = model::JapanDate::fromDayNumber(today.dayNumber() - 1);
    rig.homeVisits = {consentedUnit("3031", MedicalTreatment::HomeVisit, ConsentScope::Medication, today.str()),
                      consentedUnit("3032", MedicalTreatment::HomeVisit, ConsentScope::Medication, yesterday.str())};
    rig.service.refreshQualifications();
    CHECK(rig.service.medicalInfo(infoRequest("3031", ConsentScope::Medication, MedicalTreatment::HomeVisit)).served);
    CHECK(rig.service.medicalInfo(infoRequest("3032", ConsentScope::Medication, MedicalTreatment::HomeVisit)).refusal ==
          ErrorId::ConsentExpired);
    auto end = rig.service.consentWindowEnd(test::inquiryFor("3031").insured, MedicalTreatment::HomeVisit);
    REQUIRE(end);
    CHECK(*end == model::japanDayEnd(today));
}

TEST_CASE("a withdrawal ends the consent at once and drops the cached information", "[services][home-consent]") {
    Rig rig;
    rig.homeVisits = {consentedUnit("3041", MedicalTreatment::HomeVisit, ConsentScope::Medication, japanAt(hours(24)))};
    rig.service.refreshQualifications();
    auto req = infoRequest("3041", ConsentScope::Medication, MedicalTreatment::HomeVisit);
    REQUIRE(rig.service.medicalInfo(req).served);
    std::string askedSince = "unset";
    rig.central.onWithdrawals = [&](const std::string& since) {
        askedSince = since;
        upstream::WithdrawalPage page{{{test::inquiryFor("3041").insured, japanAt(-hours(0))}}, "20261207120000"};
        return FakeCentral::Answer<upstream::WithdrawalPage>::of(page);
    };
    CHECK(rig.service.pollWithdrawals() == 1);
    CHECK(askedSince.empty());
    CHECK(rig.service.consentState(test::inquiryFor("3041").insured, ConsentScope::Medication) == ConsentState::Withdrawn);
    auto out = rig.service.medicalInfo(req);
    CHECK_FALSE(out.served);
    CHECK(out.refusal == ErrorId::ConsentWithdrawn);
    CHECK_FALSE(rig.consents.medicalInfo(services::cardIndex(rig.store.key(), req.insured), "medication", 2));
    CHECK_FALSE(rig.service.consentWindowEnd(req.insured, MedicalTreatment::HomeVisit));
    CHECK(rig.service.list("").empty());
    // The next poll asks only for what came after the page's asOf.
    rig.service.pollWithdrawals();
    CHECK(askedSince == "20261207120000");
}

TEST_CASE("a profile without withdrawal notices is not asked for them", "[services][home-consent]") {
    Rig rig;
    rig.central.missing = {upstream::Capability::Withdrawals};
    CHECK(rig.service.pollWithdrawals() == 0);
    CHECK(rig.central.calls == 0);
}

TEST_CASE("an outpatient is served under the consent given at the reader, home care under the lists",
          "[services][home-consent]") {
    Rig rig;
    auto qualification = consentedUnit("3051", MedicalTreatment::Normal, ConsentScope::Medication, japanAt(hours(3)));
    qualification.medicalTreatmentFlag.clear();  // as an inquiry answers it
    rig.service.noteQualification(qualification);
    CHECK(rig.service.medicalInfo(infoRequest("3051", ConsentScope::Medication, MedicalTreatment::Normal)).served);
    auto home = rig.service.medicalInfo(infoRequest("3051", ConsentScope::Medication, MedicalTreatment::HomeVisit));
    CHECK_FALSE(home.served);
    CHECK(home.refusal == ErrorId::ConsentMissing);
    CHECK(rig.service.list("").empty());  // outpatients are not home-care patients

    // A qualification without any consent flag keeps nothing.
    auto none = test::validAnswer(test::inquiryFor("3052"));
    none.records.at(0).consent = model::ConsentBlock{};
    rig.service.noteQualification(none);
    CHECK(rig.service.consentState(test::inquiryFor("3052").insured, ConsentScope::Medication) == ConsentState::None);
}

TEST_CASE("an upstream refusal of medical information passes the central system's words on", "[services][home-consent]") {
    Rig rig;
    rig.homeVisits = {consentedUnit("3061", MedicalTreatment::HomeVisit, ConsentScope::Medication, japanAt(hours(24)))};
    rig.service.refreshQualifications();
    auto req = infoRequest("3061", ConsentScope::Medication, MedicalTreatment::HomeVisit);
    rig.central.onMedicalInfo = [](const model::MedicalInfoRequest&) {
        auto refused = FakeCentral::Answer<model::MedicalInfoResult>::refused("SIM-M403", "同意が確認できません", 403);
        refused.failure.document = "<XmlMsg/>";
        return refused;
    };
    auto out = rig.service.medicalInfo(req);
    CHECK_FALSE(out.served);
    CHECK(out.refusal == ErrorId::ConsentMissing);  // 403: the central system knows of no consent
    CHECK(out.centralCode == "SIM-M403");
    CHECK(out.centralDocument == "<XmlMsg/>");
    rig.central.onMedicalInfo = nullptr;  // unreachable
    CHECK(rig.service.medicalInfo(req).refusal == ErrorId::UpstreamUnavailable);
}

TEST_CASE("a file's consent-list request is answered once fresh lists are in, filtered by its ranges",
          "[services][home-consent]") {
    Rig rig;
    auto today = model::JapanDate::today().str();
    rig.homeVisits = {consentedUnit("3071", MedicalTreatment::HomeVisit, ConsentScope::Medication, japanAt(hours(24)))};
    rig.online = {consentedUnit("3072", MedicalTreatment::Online, ConsentScope::Medication, japanAt(hours(24)))};
    spec::ConsentListRequest request;
    request.medicalTreatmentFlag = "2";
    request.consentDateFrom = "20000101";
    request.consentDateTo = today;
    auto reception = rig.service.acceptListRequest(request);
    CHECK(reception.size() == 11);
    CHECK(reception[0] == 'H');
    CHECK_FALSE(rig.service.answerListRequest(reception));  // no list fetched since: still processing
    rig.service.refreshQualifications();
    auto units = rig.service.answerListRequest(reception);
    REQUIRE(units);
    REQUIRE(units->size() == 1);
    CHECK(units->at(0).records.at(0).cardNumber == "3071");
    CHECK(units->at(0).medicalTreatmentFlag == "2");

    request.consentDateTo = "20000102";  // no consent given in that range
    auto none = rig.service.answerListRequest(rig.service.acceptListRequest(request));
    CHECK((!none || none->empty()));
    CHECK(test::errorOf([&] { rig.service.answerListRequest("H9999999999"); }) == ErrorId::UnknownReception);
    CHECK(test::errorOf([&] { rig.service.answerListRequest("K0000000001"); }) == ErrorId::UnknownReception);
}
