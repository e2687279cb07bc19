// Tests of BatchService (一括照会): a batch is accepted once per origin under the box's own reception number,
// goes up in chunks of the policy's size through the ordered queue, each chunk is polled until its answer is
// ready, and every entry is answered in the order it came, exactly once — invalid entries here, without
// going upstream, naming the fields as the caller knows them. Progress lives in the store: a new service
// over the same store carries on where the old one stopped, sending nothing twice.
#include <catch2/catch.hpp>

#include <map>
#include <mutex>

#include "../error_of.hpp"
#include "services/batch_service.hpp"
#include "services/result_codec.hpp"
#include "store/batches.hpp"
#include "upstream_rig.hpp"

using namespace kh;
using test::FakeCentral;

namespace {
constexpr auto kWait = std::chrono::milliseconds(5000);

// The central system's side of batches: each upload gets a reception number R<n>; a download is 処理中
// `processingPolls` times, then answers every entry uploaded under that number, in order.
struct Rig : test::UpstreamRig {
    store::Batches batches{store, queue};
    std::unique_ptr<services::BatchService> service;
    std::mutex mutex;
    std::vector<std::vector<model::EligibilityInquiry>> uploads;
    std::map<std::string, int> downloads;  // reception → how many times it was asked
    int processingPolls = 0;
    int answered = 0;  // what the onAnswered hook was told

    ~Rig() { dispatcher.stop(); }  // its threads call the answers below, which use this rig

    explicit Rig(size_t chunkSize = 1000, size_t maxEntries = 10000) {
        central.onUploadBatch = [this](const std::vector<model::EligibilityInquiry>& entries) {
            std::lock_guard<std::mutex> l(mutex);
            uploads.push_back(entries);
            return FakeCentral::Answer<upstream::BatchReceipt>::of({"R" + std::to_string(uploads.size()), "20261207090000"});
        };
        central.onDownloadBatch = [this](const std::string& reception, upstream::BatchKind kind) {
            CHECK(kind == upstream::BatchKind::Qualifications);
            std::lock_guard<std::mutex> l(mutex);
            if (++downloads[reception] <= processingPolls) return FakeCentral::Answer<upstream::BatchDownload>::of({true, 1, {}});
            upstream::BatchDownload answer;
            for (const auto& q : uploads.at(std::stoul(reception.substr(1)) - 1)) answer.units.push_back(test::validAnswer(q, "一括 " + q.insured.cardNumber));
            return FakeCentral::Answer<upstream::BatchDownload>::of(answer);
        };
        service = make(chunkSize, maxEntries);
    }

    std::unique_ptr<services::BatchService> make(size_t chunkSize = 1000, size_t maxEntries = 10000) {
        auto s = std::make_unique<services::BatchService>(services::BatchPolicy{test::kInstitution, chunkSize, maxEntries, 1},
                                                          batches, outbox, dispatcher, central, breaker);
        s->onAnswered([this](const model::EligibilityResult&) { ++answered; });
        return s;
    }

    // Every chunk's upload through the queue, waited for.
    void uploadsSent() {
        for (const auto& c : batches.chunks("uploading")) REQUIRE(dispatcher.waitFor(c.uploadTicket, kWait));
    }
    // The polls due now rather than in a second (the central system's 処理中 asks for a wait).
    void pollsDue() {
        for (const auto& c : batches.chunks("polling")) batches.pollLater(c, 0);
    }
    void progress() {
        service->progressOnce();
        pollsDue();
    }
};

std::vector<model::EligibilityInquiry> people(int n, int from = 1) {
    std::vector<model::EligibilityInquiry> out;
    for (int i = from; i < from + n; ++i) out.push_back(test::inquiryFor(std::to_string(2000 + i)));
    return out;
}
}  // namespace

TEST_CASE("a batch goes up in chunks of the policy's size and is answered entry by entry in order", "[services][batch]") {
    Rig rig(2);
    auto entries = people(5);
    auto batch = rig.service->submit("file:OQSmuquc01req_1.xml", "F-1", entries);
    CHECK(batch.receptionNumber.rfind("K", 0) == 0);  // the box's own number, not the central system's
    CHECK(batch.entryCount == 5);
    rig.uploadsSent();
    REQUIRE(rig.uploads.size() == 3);
    CHECK(rig.uploads[0].size() == 2);
    CHECK(rig.uploads[1].size() == 2);
    CHECK(rig.uploads[2].size() == 1);
    CHECK(rig.uploads[2][0].insured.cardNumber == entries[4].insured.cardNumber);

    rig.progress();  // uploaded → polling
    CHECK_FALSE(rig.service->view(batch.receptionNumber)->done);
    rig.progress();  // answered
    auto view = rig.service->view(batch.receptionNumber);
    REQUIRE(view);
    REQUIRE(view->done);
    REQUIRE(view->units.size() == 5);
    for (size_t i = 0; i < 5; ++i) {
        INFO("entry " << i);
        CHECK(view->units[i].records.at(0).name == "一括 " + entries[i].insured.cardNumber);
        CHECK(view->units[i].inquiry.arbitraryIdentifier == entries[i].arbitraryIdentifier);
    }
    CHECK(rig.answered == 5);
}

TEST_CASE("a chunk still being processed upstream is polled again, not answered", "[services][batch]") {
    Rig rig;
    rig.processingPolls = 2;
    auto batch = rig.service->submit("http:client-1:1", "", people(3));
    rig.uploadsSent();
    for (int i = 0; i < 3; ++i) {
        rig.progress();
        CHECK_FALSE(rig.service->view(batch.receptionNumber)->done);
    }
    rig.progress();
    CHECK(rig.service->view(batch.receptionNumber)->done);
    CHECK(rig.downloads["R1"] == 3);
}

TEST_CASE("the same origin again is the same batch, sent once; answers are stored and told once", "[services][batch]") {
    Rig rig(2);
    auto first = rig.service->submit("file:OQSmuquc01req_2.xml", "F-2", people(3));
    auto again = rig.service->submit("file:OQSmuquc01req_2.xml", "F-2", people(3));
    CHECK(again.receptionNumber == first.receptionNumber);
    rig.uploadsSent();
    CHECK(rig.uploads.size() == 2);
    rig.progress();
    rig.progress();
    REQUIRE(rig.service->view(first.receptionNumber)->done);
    int downloads = rig.downloads["R1"] + rig.downloads["R2"];
    rig.progress();
    rig.progress();
    CHECK(rig.downloads["R1"] + rig.downloads["R2"] == downloads);  // a done chunk is never asked for again
    CHECK(rig.answered == 3);
    CHECK(rig.uploads.size() == 2);
}

TEST_CASE("a new service over the same store carries on without sending anything twice", "[services][batch]") {
    Rig rig(2);
    rig.processingPolls = 1;
    auto batch = rig.service->submit("file:OQSmuquc01req_3.xml", "F-3", people(4));
    rig.uploadsSent();
    rig.progress();  // uploaded, polling
    rig.service.reset();  // the box stops
    rig.service = rig.make(2);
    rig.progress();  // 処理中 once more
    rig.progress();
    auto view = rig.service->view(batch.receptionNumber);
    REQUIRE(view->done);
    CHECK(view->units.size() == 4);
    CHECK(rig.uploads.size() == 2);
}

TEST_CASE("invalid entries are answered here in their place, named as the caller knows the fields", "[services][batch]") {
    auto broken = [] {
        auto entries = people(3);
        entries[1].insured.insurerNumber = "01130013";  // wrong check digit
        return entries;
    };
    const auto& invalid = model::errorInfo(model::ErrorId::InvalidField);
    SECTION("a file: the spec's element names") {
        Rig rig;
        auto batch = rig.service->submit("file:OQSmuquc01req_4.xml", "F-4", broken());
        rig.uploadsSent();
        REQUIRE(rig.uploads.size() == 1);
        CHECK(rig.uploads[0].size() == 2);  // the invalid entry never goes up
        rig.progress();
        rig.progress();
        auto view = rig.service->view(batch.receptionNumber);
        REQUIRE(view->done);
        REQUIRE(view->units.size() == 3);
        CHECK(view->units[0].processingStatus == "1");
        CHECK(view->units[1].processingStatus == "2");
        CHECK(view->units[1].processingCode == invalid.code);
        CHECK(view->units[1].processingMessage.find("InsurerNumber") != std::string::npos);
        CHECK(view->units[1].inquiry.arbitraryIdentifier == "P-2002");
        CHECK(view->units[2].records.at(0).name == "一括 2003");
        CHECK(rig.answered == 2);  // the hook hears the central system's answers only
    }
    SECTION("over HTTP: the JSON members") {
        Rig rig;
        auto batch = rig.service->submit("http:client-1:7", "", broken());
        rig.uploadsSent();
        rig.progress();
        rig.progress();
        auto view = rig.service->view(batch.receptionNumber);
        REQUIRE(view->done);
        CHECK(view->units[1].processingMessage.find("insurerNumber") != std::string::npos);
        CHECK(view->units[1].processingMessage.find("InsurerNumber") == std::string::npos);
    }
    SECTION("a batch of invalid entries only is done at once, with nothing sent") {
        Rig rig;
        auto entries = broken();
        entries.erase(entries.begin() + 2);
        entries.erase(entries.begin());
        auto batch = rig.service->submit("file:OQSmuquc01req_5.xml", "F-5", entries);
        CHECK(rig.service->view(batch.receptionNumber)->done);
        CHECK(rig.batches.chunks("uploading").empty());
    }
}

TEST_CASE("a batch must have entries, and no more than the policy allows", "[services][batch]") {
    Rig rig(1000, 3);
    CHECK(test::errorOf([&] { rig.service->submit("file:a", "", {}); }) == model::ErrorId::EmptyRequest);
    CHECK(test::errorOf([&] { rig.service->submit("file:b", "", people(4)); }) == model::ErrorId::TooManyEntries);
    CHECK_NOTHROW(rig.service->submit("file:c", "", people(3)));
}

TEST_CASE("a refused upload answers its chunk's entries with the central system's words", "[services][batch]") {
    Rig rig(2);
    rig.central.onUploadBatch = [](const std::vector<model::EligibilityInquiry>&) {
        return FakeCentral::Answer<upstream::BatchReceipt>::refused("SIM-B001", "一括照会を受け付けられません");
    };
    auto batch = rig.service->submit("file:OQSmuquc01req_6.xml", "F-6", people(3));
    rig.uploadsSent();
    rig.progress();
    auto view = rig.service->view(batch.receptionNumber);
    REQUIRE(view->done);
    for (const auto& unit : view->units) {
        CHECK(unit.processingStatus == "2");
        CHECK(unit.processingCode == model::errorInfo(model::ErrorId::UpstreamRejected).code);
        CHECK(unit.processingMessage.find("SIM-B001 一括照会を受け付けられません") != std::string::npos);
    }
}

TEST_CASE("a poll that finds nobody waits and tries again; a damaged answer is asked for again", "[services][batch]") {
    Rig rig;
    auto batch = rig.service->submit("file:OQSmuquc01req_7.xml", "F-7", people(2));
    rig.uploadsSent();
    rig.progress();  // polling
    auto answer = rig.central.onDownloadBatch;
    rig.central.onDownloadBatch = [](const std::string&, upstream::BatchKind) {
        return FakeCentral::Answer<upstream::BatchDownload>::unreachable("connection refused");
    };
    rig.progress();
    CHECK_FALSE(rig.service->view(batch.receptionNumber)->done);
    CHECK_FALSE(rig.breaker.linkUp());  // the failed poll counts against the link

    rig.central.onDownloadBatch = [](const std::string&, upstream::BatchKind) {
        upstream::BatchDownload one;  // one unit for two entries
        one.units.push_back(test::validAnswer(test::inquiryFor("2001")));
        return FakeCentral::Answer<upstream::BatchDownload>::of(one);
    };
    rig.progress();
    CHECK_FALSE(rig.service->view(batch.receptionNumber)->done);

    rig.central.onDownloadBatch = answer;
    rig.progress();
    CHECK(rig.service->view(batch.receptionNumber)->done);
    CHECK(rig.breaker.linkUp());
}

TEST_CASE("an unknown reception number has no view", "[services][batch]") {
    Rig rig;
    CHECK_FALSE(rig.service->view("K2026120799999999"));
}
