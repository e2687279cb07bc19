// Tests of the blind indexes (identity_index): the same person is found however a receipt computer wrote
// their keys (full-width digits, padding), a different person never, the index reveals no identifier and
// depends on the box's key; the card index leaves the birth date out and can never equal an identity index.
#include <catch2/catch.hpp>

#include <set>
#include <vector>

#include "services/identity_index.hpp"

using namespace kh;
using services::cardIndex;
using services::identityIndex;

namespace {
const store::DataKey kKey(std::string(32, 's'), std::string(32, 'i'));
const store::DataKey kOtherKey(std::string(32, 's'), std::string(32, 'j'));

model::InsuredIdentity person() { return {"01130012", "あいう", "1234567", "01", "19600402"}; }
}  // namespace

TEST_CASE("the same person written differently has one index", "[services][identity-index]") {
    auto plain = person();
    auto wide = person();
    wide.insurerNumber = "０１１３００１２";  // full-width digits, as some receipt computers send them
    wide.cardNumber = " １２３４５６７ ";
    wide.branchNumber = "０１";
    CHECK(identityIndex(kKey, wide) == identityIndex(kKey, plain));
    CHECK(cardIndex(kKey, wide) == cardIndex(kKey, plain));
}

TEST_CASE("a 6-digit 国保 insurer number padded with two spaces is the same insurer", "[services][identity-index]") {
    auto padded = person(), bare = person();
    padded.insurerNumber = "  138057";
    bare.insurerNumber = "138057";
    CHECK(identityIndex(kKey, padded) == identityIndex(kKey, bare));
}

TEST_CASE("every key tells people apart", "[services][identity-index]") {
    std::set<std::string> seen{identityIndex(kKey, person())};
    std::vector<model::InsuredIdentity> others(5, person());
    others[0].insurerNumber = "06139985";
    others[1].cardSymbol = "あいえ";
    others[2].cardNumber = "1234568";
    others[3].branchNumber = "02";
    others[4].birthDate = "19600403";
    for (const auto& p : others)
        CHECK(seen.insert(identityIndex(kKey, p)).second);
}

TEST_CASE("the parts are kept apart: moving a character from one key to the next is another person",
          "[services][identity-index]") {
    model::InsuredIdentity a{"01130012", "12", "3", "", "19600402"};
    model::InsuredIdentity b{"01130012", "1", "23", "", "19600402"};
    CHECK(identityIndex(kKey, a) != identityIndex(kKey, b));
    CHECK(cardIndex(kKey, a) != cardIndex(kKey, b));
}

TEST_CASE("the card index leaves the birth date out and never equals an identity index", "[services][identity-index]") {
    auto born = person(), other = person();
    other.birthDate = "19991231";
    CHECK(cardIndex(kKey, born) == cardIndex(kKey, other));
    CHECK(identityIndex(kKey, born) != identityIndex(kKey, other));
    CHECK(cardIndex(kKey, born) != identityIndex(kKey, born));
    auto noBirth = born;
    noBirth.birthDate = "";
    CHECK(cardIndex(kKey, born) != identityIndex(kKey, noBirth));  // not even with the birth date left empty
    // Nor when a key holds the separator: the card index's parts then line up with an identity index's.
    model::InsuredIdentity card{"01130012\x1F" "A", "B", "C", "01", ""};
    model::InsuredIdentity identity{"01130012", "A", "B", "C", "01"};
    CHECK(cardIndex(kKey, card) != identityIndex(kKey, identity));
}

TEST_CASE("an index shows no identifier and is the box's own", "[services][identity-index]") {
    auto p = person();
    auto index = identityIndex(kKey, p);
    CHECK(index.find(p.cardNumber) == std::string::npos);
    CHECK(index.find(p.birthDate) == std::string::npos);
    CHECK(index.find(p.insurerNumber) == std::string::npos);
    CHECK(identityIndex(kOtherKey, p) != index);  // another box's key: another index
    CHECK(cardIndex(kOtherKey, p) != cardIndex(kKey, p));
    CHECK(identityIndex(kKey, p) == index);  // and the same one every time
}
