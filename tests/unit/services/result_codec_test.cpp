// Tests of the answers the services make themselves (result_codec): a per-entry error carries the error
// table's code and words with the detail after them, echoes the entry it answers, and is kept and read back
// from the store like any answer — still an error, still without a record.
#include <catch2/catch.hpp>

#include "model/errors.hpp"
#include "services/result_codec.hpp"
#include "spec/stored_result.hpp"

using namespace kh;
using model::ErrorId;

namespace {
model::EligibilityInquiry entry() {
    model::EligibilityInquiry q;
    q.insured = {"01130012", "あいう", "5001", "00", "19600402"};
    q.arbitraryIdentifier = "PT-5001";
    return q;
}
}  // namespace

TEST_CASE("an error answer carries the table's code and title, then the detail", "[services][result-codec]") {
    auto r = services::errorResult(entry(), ErrorId::InvalidField, "InsurerNumber：保険者番号の検証番号が違います");
    const auto& info = model::errorInfo(ErrorId::InvalidField);
    CHECK(r.processingStatus == "2");
    CHECK(r.processingCode == info.code);
    CHECK(r.processingMessage == std::string(info.title) + "：InsurerNumber：保険者番号の検証番号が違います");
    CHECK(r.records.empty());
    CHECK(r.inquiry.arbitraryIdentifier == "PT-5001");
    CHECK(r.inquiry.insured.cardNumber == "5001");
    CHECK_FALSE(r.received);  // made here: nothing received to relay
}

TEST_CASE("without a detail the error answer is the table's title alone", "[services][result-codec]") {
    auto r = services::errorResult(entry(), ErrorId::UpstreamUnavailable, "");
    CHECK(r.processingMessage == model::errorInfo(ErrorId::UpstreamUnavailable).title);
    CHECK(r.processingCode == model::errorInfo(ErrorId::UpstreamUnavailable).code);
}

TEST_CASE("an error answer survives the store's form whole", "[services][result-codec]") {
    auto made = services::errorResult(entry(), ErrorId::UpstreamRejected, "SIM-B001 一括照会を受け付けられません");
    auto back = spec::parseResult(spec::serialiseResult(made));
    CHECK(back.processingStatus == "2");
    CHECK(back.processingCode == made.processingCode);
    CHECK(back.processingMessage == made.processingMessage);
    CHECK(back.validity == model::Validity::Unknown);
    CHECK(back.records.empty());
    CHECK(back.inquiry.arbitraryIdentifier == "PT-5001");
    auto inquiry = spec::parseInquiry(spec::serialiseInquiry(entry()));
    CHECK(inquiry.insured.cardSymbol == "あいう");
    CHECK(inquiry.arbitraryIdentifier == "PT-5001");
}
