// Tests of VisitService (planned visits): a registration is checked whole and stored whole or not at all; each
// visit is placed against the patient's consent window for its kind of care; the scheduler sends tomorrow's
// visits as one batch at prefetchAt and today's again at morningAt, once each; a finished batch is delivered
// into the eligibility cache and as one result file, once.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include "../error_of.hpp"
#include "services/visit_service.hpp"
#include "store/batches.hpp"
#include "store/settings.hpp"
#include "upstream_rig.hpp"

using namespace kh;
using model::ErrorId;
using test::FakeCentral;

namespace {
constexpr auto kWait = std::chrono::milliseconds(5000);

std::string dayFromToday(int days) { return model::JapanDate::fromDayNumber(model::JapanDate::today().dayNumber() + days).str(); }

services::VisitRequest visit(const std::string& cardNumber, const std::string& date, const std::string& kind = "home-visit") {
    return {test::inquiryFor(cardNumber), date, kind};
}

// The whole chain under the visits: batches answered by the fake central system, the eligibility cache,
// home consents; the scheduler's times set per test.
struct Rig : test::UpstreamRig {
    store::Batches batches{store, queue};
    store::EligibilityCache cache{store};
    store::Consents consents{store};
    store::Settings settings{store};
    store::Visits visits{store};
    std::string results = dir.path + "/res";
    std::vector<std::vector<model::EligibilityInquiry>> uploads;
    services::BatchService batchService{{test::kInstitution, 1000, 10000, 1}, batches, outbox, dispatcher, central, breaker};
    services::EligibilityService eligibility{{test::kInstitution, -1, kWait}, store.key(), cache, outbox, dispatcher, breaker};
    services::HomeConsentService homeConsent{{test::kInstitution, 30, 300, 5, 7}, store.key(), consents, settings, central};
    std::unique_ptr<services::VisitService> service;

    ~Rig() { dispatcher.stop(); }  // its threads call the answers below, which use this rig

    explicit Rig(const std::string& prefetchAt = "18:00", const std::string& morningAt = "07:00") {
        ::mkdir(results.c_str(), 0700);
        central.onUploadBatch = [this](const std::vector<model::EligibilityInquiry>& entries) {
            uploads.push_back(entries);
            return FakeCentral::Answer<upstream::BatchReceipt>::of({"R" + std::to_string(uploads.size()), "20261207180000"});
        };
        central.onDownloadBatch = [this](const std::string& reception, upstream::BatchKind) {
            upstream::BatchDownload answer;
            for (const auto& q : uploads.at(std::stoul(reception.substr(1)) - 1)) answer.units.push_back(test::validAnswer(q, "訪問 " + q.insured.cardNumber));
            return FakeCentral::Answer<upstream::BatchDownload>::of(answer);
        };
        service = std::make_unique<services::VisitService>(services::VisitPolicy{prefetchAt, morningAt, results, 1000}, store.key(),
                                                           visits, homeConsent, batchService, eligibility);
    }

    // The day's batches through the queue and the polls, as the batch service's loop would do them.
    void batchesAnswered() {
        for (const auto& c : batches.chunks("uploading")) REQUIRE(dispatcher.waitFor(c.uploadTicket, kWait));
        batchService.progressOnce();
        for (const auto& c : batches.chunks("polling")) batches.pollLater(c, 0);
        batchService.progressOnce();
    }

    // A home consent for `cardNumber`'s kind of care, ending at `until` (YYYYMMDD: that Japan day's end).
    void consent(const std::string& cardNumber, model::MedicalTreatment treatment, const std::string& until) {
        auto unit = test::validAnswer(test::inquiryFor(cardNumber));
        model::ConsentBlock block;
        block.medication = {"1", model::japanTimestamp(), until};
        unit.records.at(0).consent = block;
        unit.medicalTreatmentFlag = model::medicalTreatmentCode(treatment);
        central.onConsentList = [](const upstream::ConsentListQuery& q) {
            return FakeCentral::Answer<upstream::BatchReceipt>::of({q.treatment == model::MedicalTreatment::Online ? "C-ONLINE" : "C-HOME", ""});
        };
        auto download = central.onDownloadBatch;
        central.onDownloadBatch = [unit, download, treatment](const std::string& reception, upstream::BatchKind kind) {
            if (reception.rfind("C-", 0) != 0) return download(reception, kind);
            upstream::BatchDownload d;
            if ((reception == "C-ONLINE") == (treatment == model::MedicalTreatment::Online)) d.units.push_back(unit);
            return FakeCentral::Answer<upstream::BatchDownload>::of(d);
        };
        homeConsent.refreshQualifications();
        central.onDownloadBatch = download;
    }
};

int japanMinutesNow() {
    auto ts = model::japanTimestamp();
    return std::stoi(ts.substr(8, 2)) * 60 + std::stoi(ts.substr(10, 2));
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

TEST_CASE("visits are registered with their dates and kinds, and listed by date", "[services][visits]") {
    Rig rig;
    auto tomorrow = dayFromToday(1);
    auto views = rig.service->registerVisits({visit("4001", tomorrow), visit("4002", tomorrow, "online-consultation"),
                                              visit("4003", dayFromToday(2), "online-medication-guidance")});
    REQUIRE(views.size() == 3);
    CHECK(views[0].id > 0);
    CHECK(views[0].consent == "no-consent");
    CHECK_FALSE(views[0].eligibility);
    auto listed = rig.service->onDate(tomorrow);
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].visit.inquiry.arbitraryIdentifier == "P-4001");
    CHECK(listed[1].visit.kind == "online-consultation");
    CHECK(test::errorOf([&] { rig.service->onDate("2026-12-08"); }) == ErrorId::InvalidField);
}

TEST_CASE("a registration is checked whole and stored whole or not at all", "[services][visits]") {
    Rig rig;
    auto tomorrow = dayFromToday(1);
    auto bad = visit("4011", tomorrow);
    bad.inquiry.insured.insurerNumber = "01130013";
    try {
        rig.service->registerVisits({visit("4010", tomorrow), bad});
        FAIL("a visit with a wrong insurer number was taken");
    } catch (const model::KakehashiError& e) {
        CHECK(e.id() == ErrorId::InvalidField);
        CHECK(std::string(e.what()).find("visits[1]: insurerNumber") != std::string::npos);  // the JSON member, as sent
    }
    CHECK(rig.service->onDate(tomorrow).empty());  // the good one was not stored either

    CHECK(test::errorOf([&] { rig.service->registerVisits({}); }) == ErrorId::EmptyRequest);
    CHECK(test::errorOf([&] { rig.service->registerVisits({visit("4012", dayFromToday(-1))}); }) == ErrorId::InvalidField);
    CHECK(test::errorOf([&] { rig.service->registerVisits({visit("4012", "20261340")}); }) == ErrorId::InvalidField);
    CHECK(test::errorOf([&] { rig.service->registerVisits({visit("4012", tomorrow, "house-call")}); }) == ErrorId::InvalidField);
    CHECK_NOTHROW(rig.service->registerVisits({visit("4012", model::JapanDate::today().str())}));  // today is not the past
}

TEST_CASE("the same patient, day and kind twice is a duplicate, in one request or across two", "[services][visits]") {
    Rig rig;
    auto tomorrow = dayFromToday(1);
    CHECK(test::errorOf([&] { rig.service->registerVisits({visit("4021", tomorrow), visit("4021", tomorrow)}); }) ==
          ErrorId::DuplicateVisit);
    CHECK(rig.service->onDate(tomorrow).empty());
    rig.service->registerVisits({visit("4021", tomorrow)});
    auto written = visit("4021", tomorrow);
    written.inquiry.insured.cardNumber = "４０２１";  // the same person, written in full width
    CHECK(test::errorOf([&] { rig.service->registerVisits({written}); }) == ErrorId::DuplicateVisit);
    CHECK_NOTHROW(rig.service->registerVisits({visit("4021", tomorrow, "online-consultation")}));  // another kind
    CHECK_NOTHROW(rig.service->registerVisits({visit("4021", dayFromToday(2))}));                  // another day
}

TEST_CASE("each visit is placed against the consent window of its kind of care", "[services][visits]") {
    Rig rig;
    rig.consent("4031", model::MedicalTreatment::HomeVisit, dayFromToday(2));
    auto views = rig.service->registerVisits({visit("4031", dayFromToday(1)), visit("4031", dayFromToday(2), "home-visit"),
                                              visit("4031", dayFromToday(3)), visit("4031", dayFromToday(1), "online-consultation")});
    CHECK(views[0].consent == "in-window");
    CHECK(views[1].consent == "in-window");  // the last day of the window counts whole
    CHECK(views[2].consent == "after-consent-window");
    CHECK(views[3].consent == "no-consent");  // a home consent does not cover online care
}

TEST_CASE("a day's visits go up as one batch, delivered into the cache and one result file, once", "[services][visits]") {
    Rig rig;
    auto tomorrow = dayFromToday(1);
    rig.service->registerVisits({visit("4041", tomorrow), visit("4042", tomorrow, "online-consultation"),
                                 visit("4043", dayFromToday(2))});
    auto reception = rig.service->prepareDay(tomorrow, "prefetch");
    REQUIRE_FALSE(reception.empty());
    CHECK(rig.service->prepareDay(tomorrow, "prefetch") == reception);  // one batch per day and purpose
    CHECK(rig.service->prepareDay(dayFromToday(5), "prefetch").empty());  // no visits: no batch
    rig.batchesAnswered();
    REQUIRE(rig.uploads.size() == 1);
    CHECK(rig.uploads[0].size() == 2);

    rig.service->tick();
    for (const char* card : {"4041", "4042"}) {
        auto cached = rig.eligibility.peek(test::inquiryFor(card));
        REQUIRE(cached);
        CHECK_FALSE(cached->stale);
        CHECK(cached->result.records.at(0).name == std::string("訪問 ") + card);
    }
    CHECK_FALSE(rig.eligibility.peek(test::inquiryFor("4043")));
    auto file = rig.results + "/OQSmuquc02res_VISIT" + tomorrow + "P.xml";
    auto xml = readFile(file);
    CHECK(xml.find(reception) != std::string::npos);
    CHECK(xml.find("4041") != std::string::npos);
    CHECK(xml.find("4042") != std::string::npos);
    REQUIRE(rig.visits.batch(tomorrow, "prefetch"));
    CHECK(rig.visits.batch(tomorrow, "prefetch")->deliveredAt > 0);

    ::unlink(file.c_str());
    rig.service->tick();  // delivered already: not written again
    CHECK(readFile(file).empty());
    // The registered visit now shows its answer.
    CHECK(rig.service->onDate(tomorrow).at(0).eligibility);
}

TEST_CASE("the scheduler sends tomorrow's visits at prefetchAt and today's at morningAt, once each", "[services][visits]") {
    SECTION("both times passed") {
        Rig rig("00:00", "00:00");
        rig.service->registerVisits({visit("4051", dayFromToday(1)), visit("4052", model::JapanDate::today().str())});
        rig.service->tick();
        auto prefetch = rig.visits.batch(dayFromToday(1), "prefetch");
        auto morning = rig.visits.batch(model::JapanDate::today().str(), "morning");
        REQUIRE(prefetch);
        REQUIRE(morning);
        rig.batchesAnswered();
        REQUIRE(rig.uploads.size() == 2);
        rig.service->tick();
        rig.batchesAnswered();
        CHECK(rig.uploads.size() == 2);  // not sent again
        CHECK(rig.visits.undelivered().empty());
    }
    SECTION("before the times, nothing goes") {
        if (japanMinutesNow() >= 23 * 60 + 59) return;  // the last minute of the Japan day: the times have come
        Rig rig("23:59", "23:59");
        rig.service->registerVisits({visit("4053", dayFromToday(1)), visit("4054", model::JapanDate::today().str())});
        rig.service->tick();
        CHECK_FALSE(rig.visits.batch(dayFromToday(1), "prefetch"));
        CHECK_FALSE(rig.visits.batch(model::JapanDate::today().str(), "morning"));
    }
}

TEST_CASE("times that are not HH:MM are refused at construction", "[services][visits]") {
    Rig rig;
    for (const char* bad : {"7:00", "24:00", "07:60", "0700", "ab:cd"}) {
        INFO(bad);
        CHECK_THROWS_AS(services::VisitService({bad, "07:00", "", 1000}, rig.store.key(), rig.visits, rig.homeConsent,
                                               rig.batchService, rig.eligibility),
                        std::invalid_argument);
    }
}
