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
    addFamily(std::move(name), std::move(help), std::move(type),
              [read = std::move(read)] { return std::vector<MetricSample>{{{}, read()}}; });
}

void Metrics::addFamily(std::string name, std::string help, std::string type,
                        std::function<std::vector<MetricSample>()> read) {
    std::lock_guard<std::mutex> l(mutex_);
    probes_.push_back({std::move(name), std::move(help), std::move(type), std::move(read)});
}

namespace {
// A label value in the text format: backslash, double quote and line feed escaped.
std::string labelValue(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}
}  // namespace

std::string Metrics::render() {
    std::ostringstream out;
    out.precision(15);  // a certificate's expiry in unix seconds keeps its last digit (not 1.79e+09)
    std::lock_guard<std::mutex> l(mutex_);
    out << "# HELP kakehashi_http_requests_total HTTP API requests by route and status.\n"
        << "# TYPE kakehashi_http_requests_total counter\n";
    for (const auto& [key, n] : requests_)
        out << "kakehashi_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
    out << "# HELP kakehashi_files_total Files taken from req/ by outcome.\n# TYPE kakehashi_files_total counter\n";
    for (const auto& [outcome, n] : files_) out << "kakehashi_files_total{outcome=\"" << outcome << "\"} " << n << "\n";
    for (const auto& p : probes_) {
        auto samples = p.read();
        if (samples.empty()) continue;
        out << "# HELP " << p.name << " " << p.help << "\n# TYPE " << p.name << " " << p.type << "\n";
        for (const auto& sample : samples) {
            out << p.name;
            for (size_t i = 0; i < sample.labels.size(); ++i)
                out << (i ? "," : "{") << sample.labels[i].first << "=\"" << labelValue(sample.labels[i].second) << "\""
                    << (i + 1 == sample.labels.size() ? "}" : "");
            out << " " << sample.value << "\n";
        }
    }
    return out.str();
}

}  // namespace kh::endpoint
