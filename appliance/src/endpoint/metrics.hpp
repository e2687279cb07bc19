// Counters exposed at /metrics in the Prometheus text format.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace kh::endpoint {

class Metrics {
public:
    void countRequest(const std::string& route, int status);
    void countFile(const std::string& outcome);
    // Gauges and counters owned elsewhere are read when /metrics is asked.
    void addProbe(std::string name, std::string help, std::string type, std::function<double()> read);
    std::string render();

private:
    struct Probe {
        std::string name, help, type;
        std::function<double()> read;
    };
    std::mutex mutex_;
    std::map<std::pair<std::string, int>, int64_t> requests_;
    std::map<std::string, int64_t> files_;
    std::vector<Probe> probes_;
};

}  // namespace kh::endpoint
