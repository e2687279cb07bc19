#include "upstream/https_transport.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/InvalidCertificateHandler.h>
#include <Poco/Net/VerificationErrorArgs.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <openssl/ssl.h>

#include "base/log.hpp"

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
}  // namespace

HttpsTransport::HttpsTransport(const TlsSettings& s) : settings_(s), timeoutSeconds_(s.timeoutSeconds) {
    Poco::URI uri(s.baseUrl);
    if (uri.getScheme() != "https") throw std::invalid_argument("upstream URL must be https");
    host_ = uri.getHost();
    port_ = uri.getPort();
    Poco::Net::Context::Params p;
    p.privateKeyFile = s.keyFile;
    p.certificateFile = s.certFile;
    p.caLocation = s.caFile;
    p.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    p.loadDefaultCAs = false;  // pinned: only the central CA is trusted
    p.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
    context_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
    SSL_CTX_set_min_proto_version(context_->sslContext(), TLS1_2_VERSION);
    // A certificate that fails verification is refused, never offered to a handler that might accept it.
    Poco::Net::SSLManager::instance().initializeClient(nullptr, new RefuseAndExplain, context_);
}

HttpsTransport::~HttpsTransport() = default;

TlsSettings HttpsTransport::settings() const {
    std::lock_guard<std::mutex> l(mutex_);
    return settings_;
}

std::unique_ptr<Poco::Net::HTTPSClientSession> HttpsTransport::takeSession() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        if (!idle_.empty()) {
            auto s = std::move(idle_.back());
            idle_.pop_back();
            return s;
        }
    }
    auto s = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port_, context_);
    s->setTimeout(Poco::Timespan(timeoutSeconds_, 0));
    s->setKeepAlive(true);
    return s;
}

void HttpsTransport::giveBack(std::unique_ptr<Poco::Net::HTTPSClientSession> s) {
    std::lock_guard<std::mutex> l(mutex_);
    if (idle_.size() < 8) idle_.push_back(std::move(s));
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
    auto session = takeSession();
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
        giveBack(std::move(session));
        return out;
    } catch (const Poco::Exception& e) {
        throw TransportError(e.displayText());
    } catch (const std::exception& e) {
        throw TransportError(e.what());
    }
}

}  // namespace kh::upstream
