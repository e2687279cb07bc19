#include <catch2/catch.hpp>

#include "endpoint/metrics.hpp"

using kh::endpoint::Metrics;
using kh::endpoint::MetricSample;

TEST_CASE("/metrics: labelled families, escaped values, whole numbers in full", "[endpoint][metrics]") {
    Metrics m;
    m.addProbe("kakehashi_queue", "Queued.", "gauge", [] { return 3.0; });
    m.addFamily("kakehashi_expiry", "Expiry.", "gauge", [] {
        return std::vector<MetricSample>{{{{"certificate", "lan"}}, 1796000123.0},
                                         {{{"certificate", "a\"b\\c\nd"}, {"kind", "x"}}, 1.5}};
    });
    m.addFamily("kakehashi_absent", "Nothing now.", "gauge", [] { return std::vector<MetricSample>{}; });
    std::string text = m.render();
    CHECK(text.find("# TYPE kakehashi_queue gauge\nkakehashi_queue 3\n") != std::string::npos);
    CHECK(text.find("kakehashi_expiry{certificate=\"lan\"} 1796000123\n") != std::string::npos);
    CHECK(text.find("kakehashi_expiry{certificate=\"a\\\"b\\\\c\\nd\",kind=\"x\"} 1.5\n") != std::string::npos);
    CHECK(text.find("kakehashi_absent") == std::string::npos);  // no sample: not even its HELP
}
