// Tests of the LAN API's route table (routes): the OpenAPI document is made from it, listing every route with
// its contract, and refuses two different schemas under one name.
#include <catch2/catch.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "endpoint/json_answer.hpp"
#include "endpoint/json_request.hpp"
#include "endpoint/routes.hpp"
#include "model/errors.hpp"

using namespace kh::endpoint;
using kh::model::ErrorId;

TEST_CASE("the OpenAPI document lists every route", "[endpoint]") {
    std::vector<Route> routes = {{"GET", "/api/v1/eligibility/batches/{id}", "batch", Access::ApiClient, nullptr},
                                 {"POST", "/api/v1/eligibility/inquiries", "inquiry", Access::ApiClient, nullptr}};
    auto doc = openApiDocument(routes, "1");
    CHECK(doc.find("/api/v1/eligibility/batches/{id}") != std::string::npos);
    CHECK(doc.find("\"post\"") != std::string::npos);
    CHECK(doc.find("clientToken") != std::string::npos);
}

namespace {
Poco::JSON::Object::Ptr parsedDocument(const std::vector<Route>& routes) {
    return Poco::JSON::Parser().parse(openApiDocument(routes, "1")).extract<Poco::JSON::Object::Ptr>();
}
}  // namespace

TEST_CASE("the OpenAPI document carries each route's contract", "[endpoint]") {
    std::vector<Route> routes = {
        Route{"POST", "/api/v1/eligibility/inquiries", "inquiry", Access::ApiClient, nullptr}.with(
            ApiContract("postInquiry", "eligibility")
                .takes(inquiryRequestSchema())
                .gives(200, "answer", eligibilityAnswerSchema())
                .gives(202, "queued", queuedSchema(), {"application/json"}, {locationHeader("where")})
                .refuses({ErrorId::MalformedJson, ErrorId::InvalidField})),
        Route{"GET", "/api/v1/eligibility/batches/{id}", "batch", Access::ApiClient, nullptr}.with(
            ApiContract("getBatch", "eligibility").query("wait", "ms", R"({"type":"integer"})").gives(200, "batch", batchSchema())),
        Route{"GET", "/healthz", "alive", Access::Public, nullptr}};
    auto doc = parsedDocument(routes);
    CHECK(doc->getArray("servers")->size() == 2);
    auto post = doc->getObject("paths")->getObject("/api/v1/eligibility/inquiries")->getObject("post");
    CHECK(post->getValue<std::string>("operationId") == "postInquiry");
    CHECK(post->getObject("requestBody")->getObject("content")->getObject("application/json")->getObject("schema")
              ->getValue<std::string>("$ref") == "#/components/schemas/InquiryRequest");
    auto responses = post->getObject("responses");
    for (const char* status : {"200", "202", "400", "401", "403", "413", "422", "default"}) CHECK(responses->has(status));
    CHECK(responses->getObject("202")->getObject("headers")->has("Location"));
    CHECK(responses->getObject("422")->getObject("content")->has("application/problem+json"));
    // A path parameter always has a schema (OpenAPI 3.0 requires one); query parameters keep theirs.
    auto parameters = doc->getObject("paths")->getObject("/api/v1/eligibility/batches/{id}")->getObject("get")->getArray("parameters");
    REQUIRE(parameters->size() == 2);
    CHECK(parameters->getObject(0)->getValue<std::string>("in") == "path");
    CHECK(parameters->getObject(0)->has("schema"));
    CHECK(parameters->getObject(1)->getValue<std::string>("in") == "query");
    // Public routes waive the document's bearer token.
    auto health = doc->getObject("paths")->getObject("/healthz")->getObject("get");
    CHECK(health->getArray("security")->size() == 0);
    CHECK_FALSE(health->getObject("responses")->has("401"));
    // Components carry every schema referred to, transitively.
    auto schemas = doc->getObject("components")->getObject("schemas");
    for (const char* name : {"InquiryRequest", "EligibilityAnswer", "EligibilityRecord", "QueuedInquiry", "Batch",
                             "EligibilityResult", "Problem", "FieldError"})
        CHECK(schemas->has(name));
}

TEST_CASE("two different schemas of one name are a programming error", "[endpoint]") {
    static const Schema first{"Thing", R"({"type":"string"})", {}};
    static const Schema second{"Thing", R"({"type":"integer"})", {}};
    std::vector<Route> routes = {
        Route{"GET", "/a", "a", Access::Public, nullptr}.with(ApiContract("a", "t").gives(200, "a", first)),
        Route{"GET", "/b", "b", Access::Public, nullptr}.with(ApiContract("b", "t").gives(200, "b", second))};
    CHECK_THROWS_AS(openApiDocument(routes, "1"), std::logic_error);
}
