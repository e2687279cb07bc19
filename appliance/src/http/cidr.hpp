// Client addresses against allow-lists ("192.168.1.0/24", "10.0.0.5", "fd00::/8").
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace kh::http {

// Is `address` inside one of `cidrs`? An empty list allows any address.
bool addressAllowed(const std::string& address, const std::vector<std::string>& cidrs);
// The normalised form of a CIDR or address ("10.0.0.0/8"), or nullopt when it is not one.
std::optional<std::string> normaliseCidr(const std::string& cidr);

}  // namespace kh::http
