#include <catch2/catch.hpp>

#include "http/route.hpp"

using namespace kh::http;

namespace {
Route route(const char* method, const char* pattern) {
    Route r;
    r.method = method;
    r.pattern = pattern;
    return r;
}
}  // namespace

TEST_CASE("routes match parameters but never dot segments; a known path with another method is 405") {
    Router router({route("GET", "/api/v1/eligibility/batches/{id}"), route("POST", "/api/v1/eligibility/inquiries")});
    Router::Miss miss;
    Request r;
    r.method = "GET";
    r.path = "/api/v1/eligibility/batches/K1";
    REQUIRE(router.find(r, miss));
    CHECK(r.params["id"] == "K1");
    r.path = "/api/v1/eligibility/batches/..";
    CHECK_FALSE(router.find(r, miss));
    CHECK(miss == Router::Miss::NotFound);
    r.path = "/api/v1/eligibility/batches/a/b";
    CHECK_FALSE(router.find(r, miss));
    r.path = "/api/v1/eligibility/inquiries";
    CHECK_FALSE(router.find(r, miss));
    CHECK(miss == Router::Miss::MethodNotAllowed);
    CHECK(router.routes()[0].name == "/api/v1/eligibility/batches/{id}");
}

TEST_CASE("cookies are read by name") {
    Request r;
    r.headers["cookie"] = "a=1; kakehashi_admin=xyz; kakehashi=no";
    CHECK(r.cookie("kakehashi_admin") == "xyz");
    CHECK(r.cookie("a") == "1");
    CHECK(r.cookie("kakehashi").empty() == false);
    CHECK(r.cookie("missing").empty());
}
