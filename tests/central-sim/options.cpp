#include "options.hpp"

#include <functional>
#include <map>
#include <stdexcept>

namespace ksim {

namespace {

using Setter = std::function<void(Options&, const std::string&)>;

long long number(const std::string& text, long long min, long long max) {
    std::size_t used = 0;
    long long value = std::stoll(text, &used);
    if (used != text.size() || value < min || value > max) throw std::invalid_argument(text);
    return value;
}

const std::map<std::string, Setter>& setters() {
    static const std::map<std::string, Setter> table = {
        {"--listen", [](Options& o, const std::string& v) { o.listen = v; }},
        {"--control", [](Options& o, const std::string& v) { o.control = v; }},
        {"--cert", [](Options& o, const std::string& v) { o.cert = v; }},
        {"--key", [](Options& o, const std::string& v) { o.key = v; }},
        {"--client-ca", [](Options& o, const std::string& v) { o.clientCa = v; }},
        {"--seed", [](Options& o, const std::string& v) { o.seed = std::stoull(v); }},
        {"--population", [](Options& o, const std::string& v) { o.population = number(v, 1, 5000000); }},
        {"--batch-delay-ms", [](Options& o, const std::string& v) { o.batchDelayMs = number(v, 0, 86400000); }},
        {"--institution-map", [](Options& o, const std::string& v) { o.institutionMap = v; }},
        {"--threads", [](Options& o, const std::string& v) { o.threads = number(v, 2, 512); }},
        {"--jpki-ca", [](Options& o, const std::string& v) { o.jpkiCa = v; }},
        {"--challenge-ttl-seconds", [](Options& o, const std::string& v) { o.challengeTtlSeconds = number(v, 1, 86400); }},
    };
    return table;
}

// Splits "--name=value" or takes the value from the next argument.
bool nextOption(int argc, char** argv, int& i, std::string& name, std::string& value) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    if (eq != std::string::npos) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
        return true;
    }
    name = arg;
    if (i + 1 >= argc) return false;
    value = argv[++i];
    return true;
}

}  // namespace

ParsedOptions parseOptions(int argc, char** argv) {
    ParsedOptions parsed;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i], name, value;
        if (arg == "--help" || arg == "-h") { parsed.help = true; return parsed; }
        if (!nextOption(argc, argv, i, name, value)) { parsed.error = "missing value for " + arg; return parsed; }
        auto it = setters().find(name);
        if (it == setters().end()) { parsed.error = "unknown option " + name; return parsed; }
        try {
            it->second(parsed.options, value);
        } catch (const std::exception&) {
            parsed.error = "bad value for " + name + ": " + value;
            return parsed;
        }
    }
    const Options& o = parsed.options;
    if (o.cert.empty() || o.key.empty() || o.clientCa.empty()) {
        parsed.error = "--cert, --key and --client-ca are required";
        return parsed;
    }
    parsed.ok = true;
    return parsed;
}

std::string usageText() {
    return "usage: kakehashi-central-sim --listen HOST:PORT --control 127.0.0.1:PORT\n"
           "         --cert central-server.crt --key central-server.key --client-ca facility-ca.crt\n"
           "         [--seed 20261125] [--population 10000] [--batch-delay-ms 2000]\n"
           "         [--institution-map CN=CODE,...] [--threads 32]\n"
           "         [--jpki-ca jpki-ca.crt] [--challenge-ttl-seconds 120]\n";
}

}  // namespace ksim
