// Tests of the canonical eligibility types (eligibility.cpp): an inquiry is validated field by field, naming
// the spec's elements.
#include <catch2/catch.hpp>

#include "model/eligibility.hpp"

using namespace kh::model;

TEST_CASE("an inquiry is validated field by field", "[model][eligibility]") {
    EligibilityInquiry q;
    q.insured = {"01130012", "", "1234", "01", "19800101"};
    CHECK(validate(q).empty());
    q.insured.insurerNumber = "01130013";
    q.insured.branchNumber = "1";
    q.insured.birthDate = "19800230";
    auto errors = validate(q);
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].field == "InsurerNumber");
    CHECK(errors[1].field == "InsuredBranchNumber");
    CHECK(errors[2].field == "Birthdate");
    q = {};
    q.insured = {"01130012", "", "  ", "", "29990101"};
    errors = validate(q);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].field == "InsuredIdentificationNumber");
    CHECK(errors[1].field == "Birthdate");  // in the future
}
