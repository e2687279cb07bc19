#include <catch2/catch.hpp>

#include "model/address_range.hpp"
#include "model/errors.hpp"

using namespace kh::model;

namespace {
// The message an entry is refused with; "" when it is accepted.
std::string refusal(const std::string& entry) {
    try {
        normaliseAddressRange(entry);
    } catch (const KakehashiError& e) {
        CHECK(e.id() == ErrorId::InvalidField);
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("address ranges are stored in one normal form", "[model]") {
    CHECK(normaliseAddressRange("192.168.1.0/24") == "192.168.1.0/24");
    CHECK(normaliseAddressRange(" 192.168.1.77/24 ") == "192.168.1.0/24");  // host bits cleared
    CHECK(normaliseAddressRange("10.0.0.5") == "10.0.0.5/32");
    CHECK(normaliseAddressRange("0.0.0.0/0") == "0.0.0.0/0");
    CHECK(normaliseAddressRange("172.16.5.4/12") == "172.16.0.0/12");
    CHECK(normaliseAddressRange("10.1.2.3/32") == "10.1.2.3/32");
    CHECK(normaliseAddressRange("::1") == "::1/128");
    CHECK(normaliseAddressRange("2001:DB8::1/32") == "2001:db8::/32");
    CHECK(normaliseAddressRange("fe80::1234/10") == "fe80::/10");
    CHECK(normaliseAddressRange("::/0") == "::/0");
}

TEST_CASE("a bad address range is refused naming it, Japanese first", "[model]") {
    std::string message = refusal("10.0.0.0/99");
    CHECK(message.find("「10.0.0.0/99」") == message.find("「"));
    CHECK(message.find("プレフィックス長が 0〜32 ではありません") != std::string::npos);
    CHECK(message.find("the prefix length is not 0-32") != std::string::npos);
    CHECK(message.find("ではありません") < message.find("the prefix"));
    CHECK(refusal("fe80::/129").find("0-128") != std::string::npos);
    for (const char* bad : {"", "   ", "/24", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8x", "10.0.0.0/1000",
                            "256.1.1.1", "10.0.0", "010.0.0.1", "192.168.1.0/24/8", "example.lan", "fe80::1%eth0",
                            "1.2.3.4 /8"})
        CHECK_FALSE(refusal(bad).empty());
    CHECK(refusal("example.lan").find("IPアドレスではありません") != std::string::npos);
}

TEST_CASE("a comma-separated list is split, checked and normalised", "[model]") {
    CHECK(parseAddressRanges("").empty());
    CHECK(parseAddressRanges("192.168.1.9/24, 10.0.0.1,,") == std::vector<std::string>{"192.168.1.0/24", "10.0.0.1/32"});
    CHECK_THROWS_AS(parseAddressRanges("192.168.1.0/24,10.0.0.0/99"), KakehashiError);
}

TEST_CASE("client addresses are matched against the allowed ranges") {
    using kh::model::addressInRanges;
    CHECK(addressInRanges("10.1.2.3", {}));
    CHECK(addressInRanges("192.168.1.20", {"192.168.1.0/24"}));
    CHECK_FALSE(addressInRanges("192.168.2.20", {"192.168.1.0/24"}));
    CHECK(addressInRanges("127.0.0.1", {"10.0.0.0/8", "127.0.0.1/32"}));
    CHECK_FALSE(addressInRanges("::1", {"127.0.0.1/32"}));
    CHECK(addressInRanges("::ffff:192.168.1.5", {"192.168.1.0/24"}));
    CHECK(addressInRanges("fd00::5", {"fd00::/8"}));
    CHECK_FALSE(addressInRanges("10.0.0.1", {"10.0.0.0/99"}));  // a bad entry never matches
    CHECK_FALSE(addressInRanges("not an address", {"0.0.0.0/0"}));
}
