#include "http/message.hpp"

namespace kh::http {

std::string Request::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

// "a=1; kakehashi_admin=xyz; b=2": the value of the first cookie of that name.
std::string Request::cookie(const std::string& name) const {
    const std::string all = header("cookie");
    size_t at = 0;
    while (at < all.size()) {
        size_t end = all.find(';', at);
        if (end == std::string::npos) end = all.size();
        size_t start = all.find_first_not_of(' ', at);
        if (start < end) {
            size_t eq = all.find('=', start);
            if (eq != std::string::npos && eq < end && all.compare(start, eq - start, name) == 0 && eq - start == name.size())
                return all.substr(eq + 1, end - eq - 1);
        }
        at = end + 1;
    }
    return {};
}

}  // namespace kh::http
