#include "http/route.hpp"

namespace kh::http {

std::vector<std::string> pathSegments(const std::string& path) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at <= path.size()) {
        size_t end = path.find('/', at);
        if (end == std::string::npos) end = path.size();
        if (end > at) out.push_back(path.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

bool isParameter(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

bool matchSegments(const std::vector<std::string>& want, const std::vector<std::string>& got,
                   std::map<std::string, std::string>& params) {
    if (want.size() != got.size()) return false;
    std::map<std::string, std::string> found;
    for (size_t i = 0; i < want.size(); ++i) {
        if (isParameter(want[i])) {
            if (got[i] == "." || got[i] == "..") return false;
            found[want[i].substr(1, want[i].size() - 2)] = got[i];
        } else if (want[i] != got[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {
    for (auto& r : routes_) {
        patterns_.push_back(pathSegments(r.pattern));
        if (r.name.empty()) r.name = r.pattern;
    }
}

const Route* Router::find(Request& request, Miss& miss) const {
    miss = Miss::NotFound;
    auto path = pathSegments(request.path);
    for (size_t i = 0; i < routes_.size(); ++i) {
        std::map<std::string, std::string> params;
        if (!matchSegments(patterns_[i], path, params)) continue;
        miss = Miss::MethodNotAllowed;
        if (routes_[i].method != request.method) continue;
        request.params = std::move(params);
        miss = Miss::None;
        return &routes_[i];
    }
    return nullptr;
}

}  // namespace kh::http
