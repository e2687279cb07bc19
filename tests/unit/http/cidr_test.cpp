#include <catch2/catch.hpp>

#include "http/cidr.hpp"

using namespace kh::http;

TEST_CASE("address allow-lists match CIDR ranges") {
    CHECK(addressAllowed("10.1.2.3", {}));
    CHECK(addressAllowed("192.168.1.20", {"192.168.1.0/24"}));
    CHECK_FALSE(addressAllowed("192.168.2.20", {"192.168.1.0/24"}));
    CHECK(addressAllowed("127.0.0.1", {"10.0.0.0/8", "127.0.0.1"}));
    CHECK_FALSE(addressAllowed("::1", {"127.0.0.1/32"}));
    CHECK(addressAllowed("::ffff:192.168.1.5", {"192.168.1.0/24"}));
    CHECK(addressAllowed("fd00::5", {"fd00::/8"}));
    CHECK_FALSE(addressAllowed("10.0.0.1", {"10.0.0.0/99"}));  // never matches a bad entry
}

TEST_CASE("CIDRs are checked and stored as what they mean") {
    CHECK(normaliseCidr("10.1.2.3/8") == std::optional<std::string>("10.0.0.0/8"));
    CHECK(normaliseCidr("192.168.1.77") == std::optional<std::string>("192.168.1.77/32"));
    CHECK(normaliseCidr("fd00::1/8") == std::optional<std::string>("fd00::/8"));
    CHECK_FALSE(normaliseCidr("10.0.0.0/99"));
    CHECK_FALSE(normaliseCidr("10.0.0.0/"));
    CHECK_FALSE(normaliseCidr("10.0.0/24"));
    CHECK_FALSE(normaliseCidr("example.com"));
}
