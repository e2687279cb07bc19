#include "routes.hpp"

#include <sstream>

namespace ksim {

namespace {

std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    std::stringstream in(path);
    std::string part;
    while (std::getline(in, part, '/'))
        if (!part.empty()) out.push_back(part);
    return out;
}

}  // namespace

bool matchPath(const std::string& pattern, const std::string& path, std::vector<std::string>& captured) {
    std::vector<std::string> want = segments(pattern), have = segments(path);
    if (want.size() != have.size()) return false;
    std::vector<std::string> values;
    for (std::size_t i = 0; i < want.size(); ++i) {
        bool placeholder = want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}';
        if (placeholder) values.push_back(have[i]);
        else if (want[i] != have[i]) return false;
    }
    captured = std::move(values);
    return true;
}

}  // namespace ksim
