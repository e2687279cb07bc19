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

// One sample of a family: its labels (name, value) and its value.
struct MetricSample {
    std::vector<std::pair<std::string, std::string>> labels;
    double value = 0;
};

class Metrics {
public:
    void countRequest(const std::string& route, int status);
    void countFile(const std::string& outcome);
    // Gauges and counters owned elsewhere are read when /metrics is asked.
    void addProbe(std::string name, std::string help, std::string type, std::function<double()> read);
    // A family of labelled samples read when /metrics is asked (a certificate each, the firmware's version);
    // no samples: the family is left out, so an alert on it does not see a value that is not there.
    void addFamily(std::string name, std::string help, std::string type,
                   std::function<std::vector<MetricSample>()> read);
    std::string render();

private:
    struct Probe {
        std::string name, help, type;
        std::function<std::vector<MetricSample>()> read;
    };
    std::mutex mutex_;
    std::map<std::pair<std::string, int>, int64_t> requests_;
    std::map<std::string, int64_t> files_;
    std::vector<Probe> probes_;
};

}  // namespace kh::endpoint
