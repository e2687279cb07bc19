#include "model/address_range.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "model/errors.hpp"

namespace kh::model {
namespace {

[[noreturn]] void refuse(const std::string& entry, const std::string& ja, const std::string& en) {
    throw KakehashiError(ErrorId::InvalidField, "allowCidrs: 「" + entry + "」は" + ja +
                                                    "。192.168.1.0/24 のように範囲か、10.0.0.5 のようにアドレスで指定してください (" +
                                                    en + ": \"" + entry + "\"; write e.g. 192.168.1.0/24 or 10.0.0.5)");
}

std::string trimmed(const std::string& s) {
    auto begin = std::find_if_not(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
    auto end = std::find_if_not(s.rbegin(), s.rend(), [](unsigned char c) { return std::isspace(c); }).base();
    return begin < end ? std::string(begin, end) : std::string();
}

// Clears every bit after the first `bits` of the address.
void clearHostBits(unsigned char* bytes, size_t size, unsigned bits) {
    for (size_t i = 0; i < size; ++i) {
        unsigned kept = bits >= 8 * (i + 1) ? 8 : bits > 8 * i ? bits - 8 * unsigned(i) : 0;
        bytes[i] &= static_cast<unsigned char>(kept == 0 ? 0 : 0xFF << (8 - kept));
    }
}
struct Address {
    int family = 0;
    unsigned char bytes[16] = {};
};

bool parseAddress(const std::string& text, Address& a) {
    if (inet_pton(AF_INET, text.c_str(), a.bytes) == 1) a.family = AF_INET;
    else if (inet_pton(AF_INET6, text.c_str(), a.bytes) == 1) a.family = AF_INET6;
    return a.family != 0;
}

bool inRange(const Address& a, const std::string& range) {
    auto slash = range.find('/');
    Address base;
    if (!parseAddress(range.substr(0, slash), base) || base.family != a.family) return false;
    unsigned bits = base.family == AF_INET ? 32 : 128;
    if (slash != std::string::npos) {
        std::string prefix = range.substr(slash + 1);
        if (prefix.empty() || prefix.size() > 3 || !std::all_of(prefix.begin(), prefix.end(), [](unsigned char c) { return std::isdigit(c); }))
            return false;
        if (std::stoul(prefix) > bits) return false;
        bits = unsigned(std::stoul(prefix));
    }
    unsigned full = bits / 8, rest = bits % 8;
    if (std::memcmp(base.bytes, a.bytes, full) != 0) return false;
    if (rest == 0) return true;
    auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
    return (base.bytes[full] & mask) == (a.bytes[full] & mask);
}
}  // namespace

bool addressInRanges(const std::string& address, const std::vector<std::string>& ranges) {
    if (ranges.empty()) return true;
    const std::string mapped = "::ffff:";
    std::string plain = address.compare(0, mapped.size(), mapped) == 0 && address.find('.') != std::string::npos
                            ? address.substr(mapped.size())
                            : address;
    Address a;
    if (!parseAddress(plain, a)) return false;
    return std::any_of(ranges.begin(), ranges.end(), [&](const std::string& r) { return inRange(a, r); });
}

std::string normaliseAddressRange(const std::string& given) {
    std::string entry = trimmed(given);
    if (entry.empty()) refuse(given, "空です", "empty");
    auto slash = entry.find('/');
    std::string address = entry.substr(0, slash);
    unsigned char bytes[16] = {};
    bool v6 = address.find(':') != std::string::npos;
    int family = v6 ? AF_INET6 : AF_INET;
    if (inet_pton(family, address.c_str(), bytes) != 1) refuse(entry, "IPアドレスではありません", "not an IP address");
    unsigned maxBits = v6 ? 128 : 32, bits = maxBits;
    if (slash != std::string::npos) {
        std::string prefix = entry.substr(slash + 1);
        bool digits = !prefix.empty() && prefix.size() <= 3 &&
                      std::all_of(prefix.begin(), prefix.end(), [](unsigned char c) { return std::isdigit(c); });
        if (!digits || std::stoul(prefix) > maxBits)
            refuse(entry, v6 ? "プレフィックス長が 0〜128 ではありません" : "プレフィックス長が 0〜32 ではありません",
                   v6 ? "the prefix length is not 0-128" : "the prefix length is not 0-32");
        bits = unsigned(std::stoul(prefix));
    }
    clearHostBits(bytes, v6 ? 16 : 4, bits);
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, bytes, text, sizeof text);
    return std::string(text) + "/" + std::to_string(bits);
}

std::vector<std::string> parseAddressRanges(const std::string& commaSeparated) {
    std::vector<std::string> out;
    size_t begin = 0;
    while (begin <= commaSeparated.size()) {
        size_t end = commaSeparated.find(',', begin);
        if (end == std::string::npos) end = commaSeparated.size();
        std::string entry = commaSeparated.substr(begin, end - begin);
        if (!trimmed(entry).empty()) out.push_back(normaliseAddressRange(entry));
        begin = end + 1;
    }
    return out;
}

}  // namespace kh::model
