// The HTTPS exchange under profile central-v1 (central_v1_client): a body to a path, the answer back.
// Kept behind an interface so tests can stand in for it, and a production transport (token handling,
// JSON body encoding) can be added beside it.
#pragma once
#include <stdexcept>
#include <string>

namespace kh::upstream {

struct CentralResponse {
    int status = 0;
    std::string body;
    int retryAfterSeconds = 0;  // from Retry-After, 0 when absent
};

// The request never reached an answer (refused, reset, timed out, TLS failure): worth retrying. what() says
// why in Japanese, for IT staff; detail() keeps the library's own words for the log.
class TransportError : public std::runtime_error {
public:
    explicit TransportError(const std::string& reason, std::string detail = "")
        : std::runtime_error(reason), detail_(std::move(detail)) {}
    const std::string& detail() const { return detail_; }

private:
    std::string detail_;
};

class CentralTransport {
public:
    virtual ~CentralTransport() = default;
    virtual CentralResponse post(const std::string& path, const std::string& xmlBody, const std::string& requestId) = 0;
    virtual CentralResponse get(const std::string& path, const std::string& requestId) = 0;
    // The profile's JSON endpoints (identity); a transport without a JSON mode sends it as it is.
    virtual CentralResponse postJson(const std::string& path, const std::string& jsonBody, const std::string& requestId) {
        return post(path, jsonBody, requestId);
    }
    // Reaches the central system without asking it anything (a TLS handshake); throws TransportError.
    virtual void handshake() = 0;
};


}  // namespace kh::upstream
