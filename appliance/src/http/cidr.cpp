#include "http/cidr.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace kh::http {
namespace {
struct Address {
    int family = 0;
    unsigned char bytes[16] = {};
    int bits() const { return family == AF_INET ? 32 : 128; }
};

std::optional<Address> parseAddress(const std::string& text) {
    Address a;
    if (inet_pton(AF_INET, text.c_str(), a.bytes) == 1) a.family = AF_INET;
    else if (inet_pton(AF_INET6, text.c_str(), a.bytes) == 1) a.family = AF_INET6;
    else return std::nullopt;
    return a;
}

struct Network {
    Address base;
    int prefix = 0;
};

std::optional<Network> parseCidr(const std::string& cidr) {
    auto slash = cidr.find('/');
    auto base = parseAddress(cidr.substr(0, slash));
    if (!base) return std::nullopt;
    int prefix = base->bits();
    if (slash != std::string::npos) {
        std::string digits = cidr.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        prefix = std::stoi(digits);
        if (prefix > base->bits()) return std::nullopt;
    }
    return Network{*base, prefix};
}

bool contains(const Network& n, const Address& a) {
    if (n.base.family != a.family) return false;
    int full = n.prefix / 8, rest = n.prefix % 8;
    if (std::memcmp(n.base.bytes, a.bytes, size_t(full)) != 0) return false;
    if (rest == 0) return true;
    unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
    return (n.base.bytes[full] & mask) == (a.bytes[full] & mask);
}

// An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
std::string unmapped(const std::string& address) {
    const std::string prefix = "::ffff:";
    if (address.compare(0, prefix.size(), prefix) == 0 && address.find('.') != std::string::npos) return address.substr(prefix.size());
    return address;
}
}  // namespace

bool addressAllowed(const std::string& address, const std::vector<std::string>& cidrs) {
    if (cidrs.empty()) return true;
    auto a = parseAddress(unmapped(address));
    if (!a) return false;
    for (const auto& c : cidrs)
        if (auto n = parseCidr(c); n && contains(*n, *a)) return true;
    return false;
}

std::optional<std::string> normaliseCidr(const std::string& cidr) {
    auto n = parseCidr(cidr);
    if (!n) return std::nullopt;
    // Host bits cleared, so "10.1.2.3/8" is stored as what it means: "10.0.0.0/8".
    int full = n->prefix / 8, rest = n->prefix % 8;
    int size = n->base.bits() / 8;
    if (full < size) {
        if (rest) n->base.bytes[full] &= static_cast<unsigned char>(0xFF << (8 - rest));
        for (int i = full + (rest ? 1 : 0); i < size; ++i) n->base.bytes[i] = 0;
    }
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(n->base.family, n->base.bytes, text, sizeof text);
    return std::string(text) + "/" + std::to_string(n->prefix);
}

}  // namespace kh::http
