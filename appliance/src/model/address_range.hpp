// The addresses an API client may connect from (--allow, allowCidrs): IPv4 or IPv6 ranges in CIDR form
// (prefix /0–32 or /0–128) or plain addresses. Each entry is checked when it is given — at the CLI and in
// the web admin — and kept in one normal form, so what the box stores is what it enforces.
#pragma once
#include <string>
#include <vector>

namespace kh::model {

// "192.168.1.5/24" → "192.168.1.0/24", "10.0.0.7" → "10.0.0.7/32", "FE80::1" → "fe80::1/128": the network
// address with the host bits cleared and the prefix written out. Throws KakehashiError(InvalidField) naming
// the entry, Japanese first, when it is not an address or the prefix is out of range.
std::string normaliseAddressRange(const std::string& entry);

// A comma-separated list (the CLI's --allow), each entry normalised; empty entries are skipped.
std::vector<std::string> parseAddressRanges(const std::string& commaSeparated);

// Is the client `address` inside one of `ranges`? An empty list allows any address; an entry that is not
// a range never matches. An IPv4 client on a dual-stack socket (::ffff:a.b.c.d) counts as IPv4.
bool addressInRanges(const std::string& address, const std::vector<std::string>& ranges);

}  // namespace kh::model
