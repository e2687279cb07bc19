#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "model/errors.hpp"

using namespace kh::model;

TEST_CASE("the error table has unique codes and names and HTTP statuses in range", "[model][errors]") {
    std::set<std::string> codes, names;
    for (auto* e = errorTableBegin(); e != errorTableEnd(); ++e) {
        CHECK(codes.insert(e->code).second);
        CHECK(names.insert(e->name).second);
        CHECK(e->httpStatus >= 200);
        CHECK(e->httpStatus < 600);
        CHECK(std::string(e->title).size() > 0);
        CHECK(&errorInfo(e->id) == e);
    }
    CHECK(codes.size() > 10);
}
