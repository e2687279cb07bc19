#include <catch2/catch.hpp>

#include "endpoint/json_answer.hpp"
#include "endpoint/json_request.hpp"
#include "endpoint/routes.hpp"
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

TEST_CASE("the OpenAPI document lists every route", "[endpoint]") {
    std::vector<Route> routes = {{"GET", "/api/v1/eligibility/batches/{id}", "batch", Access::ApiClient, nullptr},
                                 {"POST", "/api/v1/eligibility/inquiries", "inquiry", Access::ApiClient, nullptr}};
    auto doc = openApiDocument(routes, "1");
    CHECK(doc.find("/api/v1/eligibility/batches/{id}") != std::string::npos);
    CHECK(doc.find("\"post\"") != std::string::npos);
    CHECK(doc.find("clientToken") != std::string::npos);
}
