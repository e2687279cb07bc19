// Tests of the HTTP API's request bodies (json_request): inquiries, batches and reference-number
// registrations decode from JSON strictly, and a bad body gets a named error, never a crash.
#include <catch2/catch.hpp>

#include "endpoint/json_request.hpp"
#include "model/errors.hpp"

using namespace kh::endpoint;
using kh::model::ErrorId;
using kh::model::KakehashiError;

namespace {
ErrorId errorOf(const std::string& body) {
    try {
        decodeInquiryRequest(body);
    } catch (const KakehashiError& e) {
        return e.id();
    }
    return ErrorId::Internal;
}
}  // namespace

TEST_CASE("an inquiry decodes from JSON", "[endpoint][json]") {
    auto q = decodeInquiryRequest(R"({"insurerNumber":"01130012","cardSymbol":"１２－３４","cardNumber":"5678",
        "branchNumber":"01","birthDate":"19800101","limitCertificateConsent":true,"arbitraryIdentifier":"P-1"})");
    CHECK(q.insured.insurerNumber == "01130012");
    CHECK(q.insured.cardSymbol == "１２－３４");
    CHECK(q.insured.branchNumber == "01");
    CHECK(q.limitCertificateConsent);
    CHECK(q.arbitraryIdentifier == "P-1");
}

TEST_CASE("bad JSON gets a named error, never a crash", "[endpoint][json]") {
    CHECK(errorOf("") == ErrorId::EmptyRequest);
    CHECK(errorOf("{") == ErrorId::MalformedJson);
    CHECK(errorOf("[1,2]") == ErrorId::MalformedJson);
    CHECK(errorOf("\"x\"") == ErrorId::MalformedJson);
    CHECK(errorOf(R"({"insurerNumber":1,"cardNumber":"1","birthDate":"19800101"})") == ErrorId::InvalidField);
    CHECK(errorOf(R"({"cardNumber":"1","birthDate":"19800101"})") == ErrorId::InvalidField);
    CHECK(errorOf(R"({"insurerNumber":"01130012","cardNumber":"1","birthDate":"19800101","limitCertificateConsent":"yes"})") ==
          ErrorId::InvalidField);
}

TEST_CASE("a batch request is bounded", "[endpoint][json]") {
    std::string one = R"({"insurerNumber":"01130012","cardNumber":"1","birthDate":"19800101"})";
    CHECK(decodeBatchRequest("{\"entries\":[" + one + "," + one + "]}", 10).entries.size() == 2);
    CHECK_THROWS_AS(decodeBatchRequest("{\"entries\":[" + one + "," + one + "]}", 1), KakehashiError);
    CHECK_THROWS_AS(decodeBatchRequest("{\"entries\":[]}", 10), KakehashiError);
    CHECK_THROWS_AS(decodeBatchRequest("{\"entries\":{}}", 10), KakehashiError);
}

TEST_CASE("reference-number registrations decode from JSON, strictly", "[endpoint][reference]") {
    auto entries = decodeRegistrationRequest(
        R"({"entries":[{"referenceNumber":"PT-1","insurerNumber":"01130012","cardSymbol":"１２","cardNumber":"5",
        "branchNumber":"01"},{"referenceNumber":"PT-2","insurerNumber":"138016","cardNumber":"77"}]})", 10);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].referenceNumber == "PT-1");
    CHECK(entries[0].insured.cardSymbol == "１２");
    CHECK(entries[0].insured.branchNumber == "01");
    CHECK(entries[1].insured.cardSymbol.empty());
    auto errorOf = [](const std::string& body, size_t max = 10) {
        try {
            decodeRegistrationRequest(body, max);
        } catch (const KakehashiError& e) {
            return std::make_pair(e.id(), std::string(e.what()));
        }
        return std::make_pair(ErrorId::Internal, std::string());
    };
    CHECK(errorOf(R"({"entries":[{"insurerNumber":"01130012","cardNumber":"5"}]})").first == ErrorId::InvalidField);
    CHECK(errorOf(R"({"entries":[{"insurerNumber":"01130012","cardNumber":"5"}]})").second.find("entries[0]") == 0);
    CHECK(errorOf(R"({"entries":[{"referenceNumber":1,"insurerNumber":"01130012","cardNumber":"5"}]})").first ==
          ErrorId::InvalidField);
    CHECK(errorOf(R"({"entries":[]})").first == ErrorId::EmptyRequest);
    CHECK(errorOf(R"({"entries":{}})").first == ErrorId::InvalidField);
    CHECK(errorOf(R"([1])").first == ErrorId::MalformedJson);
    CHECK(errorOf(R"({"entries":[{},{}]})", 1).first == ErrorId::TooManyEntries);
}
