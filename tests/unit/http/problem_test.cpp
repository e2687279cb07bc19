#include <catch2/catch.hpp>

#include "http/problem.hpp"

using namespace kh::http;
using kh::model::ErrorId;

TEST_CASE("problem details carry the shared error table", "[http]") {
    auto p = encodeProblem(ErrorId::InvalidField, "", {{"InsurerNumber", "保険者番号が正しくありません"}});
    CHECK(p.find("\"type\":\"urn:kakehashi:problem:invalid-field\"") != std::string::npos);
    CHECK(p.find("\"status\":422") != std::string::npos);
    CHECK(p.find("\"code\":\"KKH-E1008\"") != std::string::npos);
    CHECK(p.find("InsurerNumber") != std::string::npos);
}

