#include "upstream/https_transport.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/InvalidCertificateHandler.h>
#include <Poco/Net/VerificationErrorArgs.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "base/log.hpp"
#include "crypto/tls_policy.hpp"

namespace kh::upstream {
namespace {
// Refuses every certificate that failed verification, and says why (expired, unknown issuer, …) so the
// IT person reading the log knows which certificate to fix.
class RefuseAndExplain : public Poco::Net::InvalidCertificateHandler {
public:
    RefuseAndExplain() : Poco::Net::InvalidCertificateHandler(false) {}
    void onInvalidCertificate(const void*, Poco::Net::VerificationErrorArgs& args) override {
        log::error("upstream.certificate_refused", {{"reason", args.errorMessage()},
                                                    {"subject", args.certificate().subjectName()},
                                                    {"depth", std::to_string(args.errorDepth())}});
        args.setIgnoreError(false);
    }
};

// The client context: the facility's certificate and key, the central CA as the only anchor, TLS 1.2+.
Poco::Net::Context::Ptr makeContext(const TlsSettings& s) {
    Poco::Net::Context::Params p;
    p.privateKeyFile = s.keyFile;
    p.certificateFile = s.certFile;
    p.caLocation = s.caFile;
    p.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    p.loadDefaultCAs = false;  // pinned: only the central CA is trusted
    p.cipherList = crypto::kTls12Ciphers;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
    SSL_CTX_set_min_proto_version(context->sslContext(), TLS1_2_VERSION);
    return context;
}

// A certificate that fails verification is refused, never offered to a handler that might accept it.
void refuseInvalidCertificates(Poco::Net::Context::Ptr context) {
    Poco::Net::SSLManager::instance().initializeClient(nullptr, new RefuseAndExplain, context);
}
}  // namespace

HttpsTransport::HttpsTransport(const TlsSettings& s) : settings_(s), timeoutSeconds_(s.timeoutSeconds) {
    Poco::URI uri(s.baseUrl);
    if (!s.baseUrl.empty() && uri.getScheme() != "https") throw std::invalid_argument("upstream URL must be https");
    host_ = uri.getHost();
    port_ = uri.getPort();
    try {
        context_ = makeContext(s);
    } catch (const std::exception& e) {
        // A box not set up yet: start, and let the web admin install the certificates.
        log::warn("upstream.not_configured", {{"reason", e.what()}});
        context_ = makeContext(TlsSettings{});
        configured_ = false;
    }
    configured_ = configured_ && !host_.empty();
    refuseInvalidCertificates(context_);
}

void HttpsTransport::reload(const TlsSettings& s) {
    Poco::Net::Context::Ptr context;
    try {
        context = makeContext(s);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("upstream TLS files do not load: " + e.displayText());
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("upstream TLS files do not load: ") + e.what());
    }
    if (SSL_CTX_check_private_key(context->sslContext()) != 1) {
        ERR_clear_error();
        throw std::runtime_error("upstream TLS files do not load: the key is not the certificate's");
    }
    std::vector<std::unique_ptr<Poco::Net::HTTPSClientSession>> old;
    {
        std::lock_guard<std::mutex> l(mutex_);
        settings_.caFile = s.caFile;
        settings_.certFile = s.certFile;
        settings_.keyFile = s.keyFile;
        context_ = context;
        configured_ = !host_.empty();
        ++generation_;
        old.swap(idle_);
        refuseInvalidCertificates(context_);
    }
    log::info("upstream.tls_reloaded", {{"certFile", s.certFile}, {"caFile", s.caFile}});
}  // the old idle sessions close here, outside the lock

HttpsTransport::~HttpsTransport() = default;

TlsSettings HttpsTransport::settings() const {
    std::lock_guard<std::mutex> l(mutex_);
    return settings_;
}

HttpsTransport::Pooled HttpsTransport::takeSession() {
    Poco::Net::Context::Ptr context;
    uint64_t generation = 0;
    {
        std::lock_guard<std::mutex> l(mutex_);
        if (!idle_.empty()) {
            auto s = std::move(idle_.back());
            idle_.pop_back();
            return {std::move(s), generation_};
        }
        context = context_;
        generation = generation_;
    }
    auto s = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port_, context);
    s->setTimeout(Poco::Timespan(timeoutSeconds_, 0));
    s->setKeepAlive(true);
    return {std::move(s), generation};
}

// A session of a context since replaced is closed, not kept: the next request uses the new certificate.
void HttpsTransport::giveBack(Pooled s) {
    std::lock_guard<std::mutex> l(mutex_);
    if (s.generation == generation_ && idle_.size() < 8) idle_.push_back(std::move(s.session));
}

CentralResponse HttpsTransport::post(const std::string& path, const std::string& body, const std::string& requestId) {
    return send(Poco::Net::HTTPRequest::HTTP_POST, path, body, requestId);
}

CentralResponse HttpsTransport::get(const std::string& path, const std::string& requestId) {
    return send(Poco::Net::HTTPRequest::HTTP_GET, path, {}, requestId);
}

CentralResponse HttpsTransport::postJson(const std::string& path, const std::string& jsonBody, const std::string& requestId) {
    return send(Poco::Net::HTTPRequest::HTTP_POST, path, jsonBody, requestId, "application/json; charset=UTF-8");
}

CentralResponse HttpsTransport::send(const std::string& method, const std::string& path, const std::string& body,
                                     const std::string& requestId, const char* contentType) {
    {
        std::lock_guard<std::mutex> l(mutex_);
        if (!configured_) throw TransportError("the central system is not configured yet (URL, client certificate, central CA)");
    }
    auto pooled = takeSession();
    auto& session = pooled.session;
    try {
        Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        req.set("X-Request-Id", requestId);
        req.setKeepAlive(true);
        if (method == Poco::Net::HTTPRequest::HTTP_POST) {
            req.setContentType(contentType);
            req.setContentLength(std::streamsize(body.size()));
        }
        session->sendRequest(req) << body;
        Poco::Net::HTTPResponse res;
        std::istream& in = session->receiveResponse(res);
        CentralResponse out;
        out.status = int(res.getStatus());
        Poco::StreamCopier::copyToString(in, out.body);
        if (res.has("Retry-After")) out.retryAfterSeconds = std::atoi(res.get("Retry-After").c_str());
        giveBack(std::move(pooled));
        return out;
    } catch (const Poco::Exception& e) {
        throw TransportError(e.displayText());
    } catch (const std::exception& e) {
        throw TransportError(e.what());
    }
}

// A fresh TLS handshake with the current certificate and CA (no request): what the link status probes, so
// a certificate that is refused shows at once, not at the next patient's inquiry.
void HttpsTransport::handshake() {
    Poco::Net::Context::Ptr context;
    {
        std::lock_guard<std::mutex> l(mutex_);
        if (!configured_) throw TransportError("the central system is not configured yet (URL, client certificate, central CA)");
        context = context_;
    }
    try {
        Poco::Net::SecureStreamSocket socket(context);
        socket.setLazyHandshake(false);
        socket.setPeerHostName(host_);
        socket.connect(Poco::Net::SocketAddress(host_, port_), Poco::Timespan(timeoutSeconds_, 0));
        socket.verifyPeerCertificate();
        socket.close();
    } catch (const Poco::Exception& e) {
        throw TransportError(e.displayText());
    } catch (const std::exception& e) {
        throw TransportError(e.what());
    }
}

}  // namespace kh::upstream
