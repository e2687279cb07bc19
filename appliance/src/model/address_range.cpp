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
}  // namespace

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
