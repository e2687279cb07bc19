#include "store/sign_in_origin.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace kh::store {

std::string signInOrigin(const std::string& remoteAddress) {
    in6_addr v6{};
    if (::inet_pton(AF_INET6, remoteAddress.c_str(), &v6) != 1) return remoteAddress;  // IPv4, or not an address
    char text[INET6_ADDRSTRLEN] = {};
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
        in_addr v4{};
        std::memcpy(&v4, v6.s6_addr + 12, sizeof v4);
        return ::inet_ntop(AF_INET, &v4, text, sizeof text) ? text : remoteAddress;
    }
    std::memset(v6.s6_addr + 8, 0, 8);
    return ::inet_ntop(AF_INET6, &v6, text, sizeof text) ? std::string(text) + "/64" : remoteAddress;
}

}  // namespace kh::store
