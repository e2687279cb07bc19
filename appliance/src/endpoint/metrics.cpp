#include "endpoint/metrics.hpp"

#include <sstream>

namespace kh::endpoint {

void Metrics::countRequest(const std::string& route, int status) {
    std::lock_guard<std::mutex> l(mutex_);
    ++requests_[{route, status}];
}

void Metrics::countFile(const std::string& outcome) {
    std::lock_guard<std::mutex> l(mutex_);
    ++files_[outcome];
}

void Metrics::addProbe(std::string name, std::string help, std::string type, std::function<double()> read) {
    std::lock_guard<std::mutex> l(mutex_);
    probes_.push_back({std::move(name), std::move(help), std::move(type), std::move(read)});
}

std::string Metrics::render() {
    std::ostringstream out;
    std::lock_guard<std::mutex> l(mutex_);
    out << "# HELP kakehashi_http_requests_total HTTP API requests by route and status.\n"
        << "# TYPE kakehashi_http_requests_total counter\n";
    for (const auto& [key, n] : requests_)
        out << "kakehashi_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
    out << "# HELP kakehashi_files_total Files taken from req/ by outcome.\n# TYPE kakehashi_files_total counter\n";
    for (const auto& [outcome, n] : files_) out << "kakehashi_files_total{outcome=\"" << outcome << "\"} " << n << "\n";
    for (const auto& p : probes_) {
        out << "# HELP " << p.name << " " << p.help << "\n# TYPE " << p.name << " " << p.type << "\n";
        out << p.name << " " << p.read() << "\n";
    }
    return out.str();
}

}  // namespace kh::endpoint
