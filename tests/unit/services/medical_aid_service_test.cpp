// Tests of MedicalAidService (OQSmutic): both phases go to the central client as asked, the answer comes back
// whole, 処理中 is told apart from an answer, and failures become the services' errors.
#include <catch2/catch.hpp>

#include "fake_central.hpp"
#include "model/errors.hpp"
#include "services/medical_aid_service.hpp"

using namespace kh;
using model::ErrorId;

namespace {
ErrorId errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const model::KakehashiError& e) {
        return e.id();
    }
    return ErrorId::Internal;
}
}  // namespace

TEST_CASE("a month's 医療扶助 list is asked for and answered whole, in two phases", "[services][medical-aid]") {
    test::FakeCentral central;
    std::string askedMonth, askedFile;
    central.onMedicalAidList = [&](const std::string& month, const std::string& file) {
        askedMonth = month;
        askedFile = file;
        return test::FakeCentral::Answer<upstream::BatchReceipt>::of({"R0001", "20261207101500"});
    };
    int polls = 0;
    central.onDownloadBatch = [&](const std::string& reception, upstream::BatchKind kind) {
        CHECK(reception == "R0001");
        CHECK(kind == upstream::BatchKind::MedicalAid);
        if (++polls == 1) return test::FakeCentral::Answer<upstream::BatchDownload>::of({true, 1, {}});
        model::EligibilityResult unit;
        unit.records.resize(2);
        unit.records[1].insuredCardClassification = "A1";
        unit.records[1].beneficiaryNumber = "1823301";
        return test::FakeCentral::Answer<upstream::BatchDownload>::of({false, 0, {unit}});
    };
    services::MedicalAidService service(central);

    auto receipt = service.request("202611", "20261124093512345PC3");
    CHECK(receipt.receptionNumber == "R0001");
    CHECK((askedMonth == "202611" && askedFile == "20261124093512345PC3"));
    CHECK_FALSE(service.results("R0001"));  // 処理中
    auto units = service.results("R0001");
    REQUIRE(units);
    REQUIRE(units->size() == 1);
    CHECK(units->front().records.size() == 2);
    CHECK(units->front().records[1].beneficiaryNumber == "1823301");
}

TEST_CASE("a 医療扶助 list fails plainly when the link is down or the central system refuses", "[services][medical-aid]") {
    test::FakeCentral central;  // answers nothing: unreachable
    services::MedicalAidService service(central);
    CHECK(errorOf([&] { service.request("202611", ""); }) == ErrorId::UpstreamUnavailable);
    CHECK(errorOf([&] { service.results("R0001"); }) == ErrorId::UpstreamUnavailable);
    central.onDownloadBatch = [](const std::string&, upstream::BatchKind) {
        return test::FakeCentral::Answer<upstream::BatchDownload>::refused("EQCS0004", "受付番号が存在しません", 404);
    };
    CHECK(errorOf([&] { service.results("R0001"); }) == ErrorId::UpstreamRejected);
}
