// Where a sign-in try comes from, as the throttle and the lockout count it: a machine's IPv4 address, or
// the /64 network of an IPv6 address, since one IPv6 host can use every address of its /64 and would
// otherwise get a fresh burst and a fresh lockout count with each.
#pragma once
#include <string>

namespace kh::store {

// "192.0.2.7" for "192.0.2.7" and "::ffff:192.0.2.7"; "2001:db8:1:2::/64" for "2001:db8:1:2:a:b:c:d";
// anything that is not an address is returned as it is.
std::string signInOrigin(const std::string& remoteAddress);

}  // namespace kh::store
