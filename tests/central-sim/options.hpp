// The command line of kakehashi-central-sim (see README.md): where to listen, the TLS material, the
// population seed and size, the batch delay, the certificate-to-institution table, and the JPKI CA and
// challenge lifetime of the identity endpoints.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace ksim {

struct Options {
    std::string listen = "127.0.0.1:18443";   // the API (HTTPS, mutual TLS)
    std::string control = "127.0.0.1:18444";  // /sim control (plain HTTP, loopback only)
    std::string cert, key, clientCa;
    std::uint64_t seed = 20261125;
    std::size_t population = 10000;
    int batchDelayMs = 2000;
    std::string institutionMap;  // "CN=CODE,CN=CODE"
    int threads = 32;
    std::string jpkiCa;             // PEM CA of the JPKI user-auth certificates; empty: every card check refused
    int challengeTtlSeconds = 120;  // lifetime of an identity challenge's nonce
};

struct ParsedOptions {
    bool ok = false;
    bool help = false;
    std::string error;
    Options options;
};

ParsedOptions parseOptions(int argc, char** argv);
std::string usageText();

}  // namespace ksim
