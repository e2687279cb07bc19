// The transport to the central system, kept behind one interface so a production profile (token
// handling, JSON body encoding) can be added without touching services. Profile v1 is documented in
// tests/central-sim/README.md.
#pragma once
#include <stdexcept>
#include <string>

namespace kh::upstream {

struct CentralResponse {
    int status = 0;
    std::string body;
    int retryAfterSeconds = 0;  // from Retry-After, 0 when absent
};

// The request never reached an answer (refused, reset, timed out, TLS failure): worth retrying.
class TransportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
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
};

// Profile v1 paths.
namespace profile_v1 {
inline const char* inquiryPath() { return "/v1/qualifications/inquiry"; }
inline const char* batchUploadPath() { return "/v1/qualifications/batches"; }
inline std::string batchResultPath(const std::string& reception) { return "/v1/qualifications/batches/" + reception; }
inline const char* homeReceptionUrlPath() { return "/v1/home-consent/url"; }  // IF-039/040, JSON {url}
inline const char* identityChallengePath() { return "/v1/identity/challenge"; }  // card check: a nonce
inline const char* identityVerifyPath() { return "/v1/identity/verify"; }        // certificate + signature
// The POST path of a queued message, by its kind; "" for a kind this profile does not know.
inline std::string pathForKind(const std::string& kind) {
    if (kind == "inquiry") return inquiryPath();
    if (kind == "batch-upload") return batchUploadPath();
    if (kind == "reference-numbers") return "/v1/reference-numbers";
    if (kind == "consent-list") return "/v1/home-consent/qualifications";
    if (kind == "consent-withdrawal") return "/v1/consents/withdrawals";
    const std::string medical = "medical-info:";
    if (kind.compare(0, medical.size(), medical) == 0) return "/v1/medical-info/" + kind.substr(medical.size());
    return "";
}
}  // namespace profile_v1

}  // namespace kh::upstream
