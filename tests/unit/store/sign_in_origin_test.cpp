// Tests of what a sign-in try counts against (sign_in_origin.cpp): an IPv4 address, or an IPv6 address's /64.
#include <catch2/catch.hpp>

#include "store/sign_in_origin.hpp"

using namespace kh::store;

TEST_CASE("tries count against an IPv4 address, or an IPv6 address's /64", "[store][sign-in-origin]") {
    CHECK(signInOrigin("192.0.2.7") == "192.0.2.7");
    CHECK(signInOrigin("::ffff:192.0.2.7") == "192.0.2.7");
    CHECK(signInOrigin("2001:db8:1:2:a:b:c:d") == "2001:db8:1:2::/64");
    CHECK(signInOrigin("2001:db8:1:2::1") == signInOrigin("2001:db8:1:2:ffff::9"));
    CHECK(signInOrigin("2001:db8:1:3::1") != signInOrigin("2001:db8:1:2::1"));
    CHECK(signInOrigin("::1") == "::/64");
    CHECK(signInOrigin("") == "");
}
