// Tests of viewing consent (閲覧同意): the state at a moment, on Japan's day boundary whatever the process
// time zone (the binary runs with TZ=UTC), per scope, withdrawn and missing consent, and the reasons shown.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "model/consent.hpp"
#include "model/japan_date.hpp"

using namespace kh::model;

namespace {
// 2026-11-25T15:00:00Z is 2026-11-26 00:00:00 in Japan.
const auto kLastSecondJst = fromUnixSeconds(1795618799);  // 2026-11-25T14:59:59Z = 25日 23:59:59 JST
const auto kMidnightJst = fromUnixSeconds(1795618800);    // 2026-11-25T15:00:00Z = 26日 00:00:00 JST

ConsentBlock medicationUntil(const std::string& availableTime) {
    ConsentBlock block;
    block.medication = {"1", "20261124093000", availableTime};
    return block;
}
}  // namespace

TEST_CASE("consent holds until the last second of AvailableTime in Japan time", "[model][consent]") {
    const ConsentBlock block = medicationUntil("20261125235959");
    CHECK(consentStateAt(block, ConsentScope::Medication, kLastSecondJst, false) == ConsentState::Valid);
    CHECK(consentStateAt(block, ConsentScope::Medication, kLastSecondJst + std::chrono::milliseconds(999), false) ==
          ConsentState::Valid);
    CHECK(consentStateAt(block, ConsentScope::Medication, kMidnightJst, false) == ConsentState::Expired);
}

TEST_CASE("an AvailableTime that is only a date lasts to the end of that day in Japan", "[model][consent]") {
    const ConsentBlock block = medicationUntil("20261125");
    CHECK(consentStateAt(block, ConsentScope::Medication, kLastSecondJst, false) == ConsentState::Valid);
    CHECK(consentStateAt(block, ConsentScope::Medication, kMidnightJst, false) == ConsentState::Expired);
    setenv("TZ", "America/Los_Angeles", 1);  // the box's zone must not move the boundary
    CHECK(consentStateAt(block, ConsentScope::Medication, kLastSecondJst, false) == ConsentState::Valid);
    CHECK(consentStateAt(block, ConsentScope::Medication, kMidnightJst, false) == ConsentState::Expired);
    setenv("TZ", "UTC", 1);
}

TEST_CASE("each scope is judged on its own flag and time", "[model][consent]") {
    ConsentBlock block = medicationUntil("20261130235959");
    block.checkup = {"0", "", ""};
    block.clinical = {"1", "20261101000000", "20261101235959"};
    block.operation = {" 1 ", "", "20261130"};
    CHECK(consentStateAt(block, ConsentScope::Medication, kMidnightJst, false) == ConsentState::Valid);
    CHECK(consentStateAt(block, ConsentScope::Checkup, kMidnightJst, false) == ConsentState::None);
    CHECK(consentStateAt(block, ConsentScope::Clinical, kMidnightJst, false) == ConsentState::Expired);
    CHECK(consentStateAt(block, ConsentScope::Operation, kMidnightJst, false) == ConsentState::Valid);
    CHECK(&consentFor(block, ConsentScope::Checkup) == &block.checkup);
}

TEST_CASE("withdrawal wins over a valid consent, and a consent without a usable end is none", "[model][consent]") {
    const ConsentBlock valid = medicationUntil("20261130235959");
    CHECK(consentStateAt(valid, ConsentScope::Medication, kMidnightJst, true) == ConsentState::Withdrawn);
    CHECK(consentStateAt(ConsentBlock{}, ConsentScope::Medication, kMidnightJst, false) == ConsentState::None);
    for (const char* end : {"", "2026113", "20261131", "20261130246000", "2026-11-30"}) {
        INFO(end);
        CHECK(consentStateAt(medicationUntil(end), ConsentScope::Medication, kMidnightJst, false) ==
              ConsentState::None);
    }
}

TEST_CASE("every refusal has a Japanese reason for staff", "[model][consent]") {
    CHECK(std::string(refusalReason(ConsentState::Valid)).empty());
    CHECK(std::string(refusalReason(ConsentState::None)) == "同意がありません");
    CHECK(std::string(refusalReason(ConsentState::Expired)) == "同意の有効期限が切れています");
    CHECK(std::string(refusalReason(ConsentState::Withdrawn)) == "同意が撤回されています");
    CHECK(std::string(consentStateName(ConsentState::Expired)) == "expired");
    CHECK(std::string(consentScopeName(ConsentScope::Checkup)) == "checkup");
}

TEST_CASE("MedicalTreatmentFlag codes map to the treatment kinds", "[model][consent]") {
    CHECK(medicalTreatmentFromCode("1") == MedicalTreatment::Normal);
    CHECK(medicalTreatmentFromCode(" 2") == MedicalTreatment::HomeVisit);
    CHECK(medicalTreatmentFromCode("3") == MedicalTreatment::Online);
    CHECK_FALSE(medicalTreatmentFromCode("4"));
    CHECK_FALSE(medicalTreatmentFromCode("02"));
    CHECK_FALSE(medicalTreatmentFromCode(""));
    CHECK(medicalTreatmentCode(MedicalTreatment::Online) == "3");
}
