// Profile v1 transport: HTTPS with mutual TLS (the facility's client certificate, the central CA pinned,
// TLS 1.2 or newer, host name checked), keep-alive sessions reused across requests. A new client
// certificate or central CA from the web admin is put to use by reload(), without a restart.
#pragma once
#include <Poco/Net/Context.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "upstream/central_transport.hpp"
#include "upstream/link_health.hpp"

namespace Poco::Net {
class HTTPSClientSession;
}

namespace kh::upstream {

struct TlsSettings {
    std::string baseUrl;       // https://host:port
    std::string caFile;        // the central CA: the only trusted anchor
    std::string certFile;      // the facility's client certificate
    std::string keyFile;
    int timeoutSeconds = 30;
};

class HttpsTransport : public CentralTransport {
public:
    // Every exchange and handshake is reported to `health` (when given), and reload() starts its new epoch.
    explicit HttpsTransport(const TlsSettings& settings, LinkHealth* health = nullptr);
    ~HttpsTransport() override;
    CentralResponse post(const std::string& path, const std::string& xmlBody, const std::string& requestId) override;
    CentralResponse get(const std::string& path, const std::string& requestId) override;
    CentralResponse postJson(const std::string& path, const std::string& jsonBody, const std::string& requestId) override;
    // A fresh TLS handshake with the current certificate and CA, then a short wait for the central system's
    // verdict on the client certificate (under TLS 1.3 it comes after the handshake, as an alert).
    void handshake() override;
    TlsSettings settings() const;  // as in use now (the web admin shows these files' certificates)
    // Loads s.caFile, s.certFile and s.keyFile into a new TLS context and uses it from the next request
    // on; idle sessions of the old one are closed, and those in flight are not kept when they finish.
    // The base URL and timeout stay as at start. Throws std::runtime_error, keeping the old context,
    // (in Japanese) when the files do not load or the key is not the certificate's.
    void reload(const TlsSettings& s);

private:
    CentralResponse send(const std::string& method, const std::string& path, const std::string& body,
                         const std::string& requestId, const char* contentType = "application/xml; charset=UTF-8");
    struct Pooled {
        std::unique_ptr<Poco::Net::HTTPSClientSession> session;
        uint64_t generation;  // of the context it was made with
        uint64_t epoch;       // of the link's health when it was taken
    };
    [[noreturn]] void fail(uint64_t epoch, const std::string& detail);
    void succeeded(uint64_t epoch);
    uint64_t healthEpoch() const { return health_ ? health_->epoch() : 0; }
    Pooled takeSession();
    void giveBack(Pooled s);

    TlsSettings settings_;
    LinkHealth* health_;
    std::string host_;
    unsigned short port_ = 443;
    int timeoutSeconds_;
    Poco::Net::Context::Ptr context_;
    mutable std::mutex mutex_;  // guards settings_, context_, generation_ and idle_
    uint64_t generation_ = 0;   // counts reloads
    // False while the box waits for its setup (no URL, or the certificate files do not load yet):
    // every request then fails as "link down" and is retried once the web admin supplies them.
    bool configured_ = true;
    std::vector<std::unique_ptr<Poco::Net::HTTPSClientSession>> idle_;
};

}  // namespace kh::upstream
