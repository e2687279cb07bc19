#include <catch2/catch.hpp>

#include "../temp_dir.hpp"

#include <algorithm>

#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>

#include "model/errors.hpp"
#include "services/reference_number_service.hpp"
#include "fake_central.hpp"
#include "upstream/dispatcher.hpp"

using namespace kh;
using services::RegistrationOutcome;

namespace {
std::string tempDir() { return kh::test::tempDir("refsvc"); }

using test::FakeCentral;

// Registers every entry whose reference number does not start with "X"; those get SIM-R005.
FakeCentral::Answer<FakeCentral::Results> registerAllButX(const FakeCentral::Registrations& entries, const std::string&) {
    FakeCentral::Results results;
    for (const auto& r : entries) {
        bool refuse = r.referenceNumber[0] == 'X';
        results.push_back({r.referenceNumber, refuse ? "2" : "1", refuse ? "SIM-R005" : "", refuse ? "該当者なし" : ""});
    }
    return FakeCentral::Answer<FakeCentral::Results>::of(results);
}

model::ReferenceNumberRegistration entry(const std::string& number, const std::string& card,
                                         const std::string& insurer = "01130012") {
    model::ReferenceNumberRegistration r;
    r.referenceNumber = number;
    r.insured = {insurer, "", card, "00", ""};
    return r;
}

struct Rig {
    std::string dir = tempDir();
    store::Store store{dir + "/k.db", dir + "/keys"};
    store::OutboundQueue queue{store};
    store::ReferenceNumbers numbers{store, queue};
    FakeCentral central;
    upstream::Outbox outbox{queue, "1312345679"};
    upstream::CircuitBreaker breaker{100, 10};
    upstream::Dispatcher dispatcher{queue, outbox, central, breaker, upstream::BackoffSettings{10, 20}};
    services::ReferenceNumberService service{{"1312345679", std::chrono::milliseconds(5000), 3}, numbers, outbox, dispatcher};
    std::vector<FakeCentral::Registrations> sent;
    std::vector<std::string> fileIdentifiers;
    void answerWith(std::function<FakeCentral::Answer<FakeCentral::Results>(const FakeCentral::Registrations&, const std::string&)> f) {
        central.onRegister = [this, f](const FakeCentral::Registrations& e, const std::string& fileId) {
            sent.push_back(e);
            fileIdentifiers.push_back(fileId);
            return f(e, fileId);
        };
    }
    Rig() { dispatcher.start(); }
    ~Rig() { dispatcher.stop(); }
    std::string state(const model::ReferenceNumberRegistration& r) { return numbers.find(numbers.identityIndex(r.insured))->state; }
};
}  // namespace

TEST_CASE("valid entries go up as one message; invalid ones are answered here, in order", "[services][reference]") {
    Rig rig;
    rig.answerWith(registerAllButX);
    auto good = entry("PT-1", "111"), bad = entry("PT-2", "222", "01130013"), unknown = entry("X-3", "333");
    auto out = rig.service.registerEntries({good, bad, unknown}, std::chrono::milliseconds(5000));
    REQUIRE(out.kind == RegistrationOutcome::Kind::Answered);
    REQUIRE(out.results.size() == 3);
    CHECK(out.results[0].status == "registered");
    CHECK(out.results[1].status == "invalid");
    CHECK(out.results[1].code == "KKH-E1008");
    REQUIRE(out.results[1].fieldErrors.size() == 1);
    CHECK(out.results[1].fieldErrors[0].field == "InsurerNumber");
    CHECK(out.results[2].status == "refused");
    CHECK(out.results[2].code == "SIM-R005");
    CHECK(out.results[2].message == "該当者なし");

    REQUIRE(rig.sent.size() == 1);
    CHECK(rig.sent[0].size() == 2);
    CHECK(rig.state(good) == "registered");
    CHECK(rig.state(unknown) == "refused");
    CHECK_FALSE(rig.numbers.find(rig.numbers.identityIndex(bad.insured)));
}

TEST_CASE("one entry goes up with the file's identifier", "[services][reference]") {
    Rig rig;
    rig.answerWith(registerAllButX);
    auto out = rig.service.registerEntries({entry("PT-9", "999")}, std::chrono::milliseconds(5000), "F-1");
    CHECK(out.results.at(0).status == "registered");
    REQUIRE(rig.sent.size() == 1);
    CHECK(rig.sent[0].size() == 1);
    CHECK(rig.fileIdentifiers.at(0) == "F-1");
}

TEST_CASE("while the central system is away a registration is queued and completed later", "[services][reference]") {
    Rig rig;
    std::atomic<bool> up{false};
    rig.answerWith([&](const FakeCentral::Registrations& e, const std::string& f) {
        return up ? registerAllButX(e, f) : FakeCentral::Answer<FakeCentral::Results>::unreachable("HTTP 503", 1);
    });
    auto bad = entry("", "1");
    auto a = entry("PT-1", "111"), b = entry("X-2", "222");
    auto out = rig.service.registerEntries({bad, a, b}, std::chrono::milliseconds(0));
    REQUIRE(out.kind == RegistrationOutcome::Kind::Queued);
    REQUIRE(out.ticket > 0);
    CHECK(out.results.at(0).status == "invalid");
    CHECK(out.results.at(1).status == "pending");
    CHECK(rig.service.follow(out.ticket).kind == RegistrationOutcome::Kind::Queued);
    CHECK(rig.state(a) == "pending");

    up = true;
    REQUIRE(rig.dispatcher.waitFor(out.ticket, std::chrono::milliseconds(5000)));
    CHECK(rig.service.completeFinished() == 1);
    CHECK(rig.state(a) == "registered");
    CHECK(rig.state(b) == "refused");
    CHECK(rig.service.completeFinished() == 0);

    auto later = rig.service.follow(out.ticket);  // the ticket's own entries
    REQUIRE(later.kind == RegistrationOutcome::Kind::Answered);
    REQUIRE(later.results.size() == 2);
    CHECK(later.results[0].status == "registered");
    auto whole = rig.service.follow(out.ticket, {bad, a, b});  // the whole request again
    REQUIRE(whole.results.size() == 3);
    CHECK(whole.results[0].status == "invalid");
    CHECK(whole.results[2].code == "SIM-R005");
}

TEST_CASE("a refused message refuses each entry with the central system's code", "[services][reference]") {
    Rig rig;
    rig.answerWith([](const FakeCentral::Registrations&, const std::string&) {
        return FakeCentral::Answer<FakeCentral::Results>::refused("SIM-4031", "MedicalInstitutionCode differs", 403);
    });
    auto a = entry("PT-1", "111");
    auto out = rig.service.registerEntries({a, entry("PT-2", "222")}, std::chrono::milliseconds(5000));
    REQUIRE(out.kind == RegistrationOutcome::Kind::Answered);
    for (const auto& r : out.results) {
        CHECK(r.status == "refused");
        CHECK(r.code == "SIM-4031");
        CHECK(r.message == "MedicalInstitutionCode differs");
    }
    CHECK(rig.state(a) == "refused");
}

TEST_CASE("registration limits and unknown tickets", "[services][reference]") {
    Rig rig;
    rig.answerWith(registerAllButX);
    auto errorOf = [&](const std::vector<model::ReferenceNumberRegistration>& entries) {
        try {
            rig.service.registerEntries(entries, std::chrono::milliseconds(0));
        } catch (const model::KakehashiError& e) {
            return e.id();
        }
        return model::ErrorId::Internal;
    };
    CHECK(errorOf({}) == model::ErrorId::EmptyRequest);
    CHECK(errorOf({entry("A", "1"), entry("B", "2"), entry("C", "3"), entry("D", "4")}) == model::ErrorId::TooManyEntries);
    CHECK(rig.service.follow(999).kind == RegistrationOutcome::Kind::NotFound);
    int64_t other = rig.queue.enqueue("inquiry", "eligibility", "<XmlMsg/>");
    CHECK(rig.service.follow(other).kind == RegistrationOutcome::Kind::NotFound);
    auto allInvalid = rig.service.registerEntries({entry("", "1")}, std::chrono::milliseconds(0));
    CHECK(allInvalid.kind == RegistrationOutcome::Kind::Answered);
    CHECK(allInvalid.ticket == 0);
    // Only the foreign inquiry queued above may reach the central system, never a registration.
    CHECK(rig.sent.empty());
}
