#include "upstream/https_transport.hpp"

#include <Poco/Exception.h>
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

#include <cctype>

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

bool has(const std::string& text, const char* part) {
    std::string a = text, b = part;
    for (auto* t : {&a, &b})
        for (char& c : *t) c = char(std::tolower(static_cast<unsigned char>(c)));
    return a.find(b) != std::string::npos;
}

// What the library said, told in Japanese with what to check; the order matters (an alert about a
// certificate is the central system refusing ours, a failed verification is ours refusing its).
std::string explainFailure(const std::string& detail) {
    if (has(detail, "after the handshake") ||
        (has(detail, "alert") && (has(detail, "certificate") || has(detail, "unknown ca") || has(detail, "access denied"))))
        return "中央システムが本機のクライアント証明書を受け入れませんでした。証明書の有効期限と発行元を確認してください";
    if (has(detail, "verify failed") || has(detail, "unacceptable certificate") || has(detail, "certificate validation"))
        return "中央システムのサーバー証明書を確認できませんでした。中央システムのCA証明書と接続先のホスト名を確認してください";
    if (has(detail, "refused")) return "接続を拒否されました。接続先のアドレスとポートを確認してください";
    if (has(detail, "timeout") || has(detail, "timed out"))
        return "中央システムから応答がありません（時間切れ）。閉域網の回線と接続先を確認してください";
    if (has(detail, "host not found") || has(detail, "no address") || has(detail, "name resolution"))
        return "接続先のホスト名を解決できません。接続先の設定を確認してください";
    if (has(detail, "unreachable")) return "接続先に届きません。閉域網の回線とルーターを確認してください";
    if (has(detail, "reset") || has(detail, "closed")) return "中央システムとの接続が途中で切れました";
    if (has(detail, "ssl") || has(detail, "tls")) return "中央システムとの暗号化通信を始められませんでした";
    return "中央システムとの通信に失敗しました";
}

const char* const kNotConfigured = "中央システムの接続先URLまたは証明書がまだ設定されていません";

// A certificate that fails verification is refused, never offered to a handler that might accept it.
void refuseInvalidCertificates(Poco::Net::Context::Ptr context) {
    Poco::Net::SSLManager::instance().initializeClient(nullptr, new RefuseAndExplain, context);
}
}  // namespace

HttpsTransport::HttpsTransport(const TlsSettings& s, LinkHealth* health)
    : settings_(s), health_(health), timeoutSeconds_(s.timeoutSeconds) {
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
        log::warn("upstream.tls_files_refused", {{"detail", e.displayText()}});
        throw std::runtime_error("証明書または鍵のファイルを読み込めません（PEM形式か確認してください）");
    } catch (const std::exception& e) {
        log::warn("upstream.tls_files_refused", {{"detail", e.what()}});
        throw std::runtime_error("証明書または鍵のファイルを読み込めません（PEM形式か確認してください）");
    }
    if (SSL_CTX_check_private_key(context->sslContext()) != 1) {
        ERR_clear_error();
        throw std::runtime_error("鍵が証明書と対応していません");
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
        if (health_) health_->changed();  // under the lock: no session taken after this counts for the old files
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
    uint64_t generation = 0, epoch = 0;
    {
        std::lock_guard<std::mutex> l(mutex_);
        if (!idle_.empty()) {
            auto s = std::move(idle_.back());
            idle_.pop_back();
            return {std::move(s), generation_, healthEpoch()};
        }
        context = context_;
        generation = generation_;
        epoch = healthEpoch();
    }
    auto s = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port_, context);
    s->setTimeout(Poco::Timespan(timeoutSeconds_, 0));
    s->setKeepAlive(true);
    return {std::move(s), generation, epoch};
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
        if (!configured_) {
            if (health_) health_->failed(healthEpoch(), kNotConfigured);
            throw TransportError(kNotConfigured);
        }
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
        succeeded(pooled.epoch);  // an answer came back: the link works, whatever the answer says
        giveBack(std::move(pooled));
        return out;
    } catch (const Poco::Exception& e) {
        fail(pooled.epoch, e.displayText());
    } catch (const std::exception& e) {
        fail(pooled.epoch, e.what());
    }
}

void HttpsTransport::succeeded(uint64_t epoch) {
    if (health_) health_->succeeded(epoch);
}

void HttpsTransport::fail(uint64_t epoch, const std::string& detail) {
    std::string reason = explainFailure(detail);
    log::info("upstream.transport_failed", {{"reason", reason}, {"detail", detail}});
    if (health_) health_->failed(epoch, reason);
    throw TransportError(reason, detail);
}

// What the link status probes, so a certificate that is refused shows at once, not at the next patient's
// inquiry. Under TLS 1.3 the server judges the client certificate after the client's side of the handshake
// is done and says so with an alert: a short read waits for it. Silence (the server waiting for a request)
// means the certificate was taken.
void HttpsTransport::handshake() {
    Poco::Net::Context::Ptr context;
    uint64_t epoch = 0;
    {
        std::lock_guard<std::mutex> l(mutex_);
        epoch = healthEpoch();
        if (!configured_) {
            if (health_) health_->failed(epoch, kNotConfigured);
            throw TransportError(kNotConfigured);
        }
        context = context_;
    }
    try {
        Poco::Net::SecureStreamSocket socket(context);
        socket.setLazyHandshake(false);
        socket.setPeerHostName(host_);
        // A probe gives up sooner than a request: it must not hold up a shutdown for long.
        socket.connect(Poco::Net::SocketAddress(host_, port_), Poco::Timespan(std::min(timeoutSeconds_, 10), 0));
        socket.verifyPeerCertificate();
        socket.setReceiveTimeout(Poco::Timespan(2, 0));
        char byte;
        try {
            if (socket.receiveBytes(&byte, 1) == 0) fail(epoch, "connection closed by the central system after the handshake");
        } catch (const Poco::TimeoutException&) {
            // no verdict: the certificate was accepted
        }
        socket.close();
    } catch (const TransportError&) {
        throw;
    } catch (const Poco::Exception& e) {
        fail(epoch, e.displayText());
    } catch (const std::exception& e) {
        fail(epoch, e.what());
    }
    succeeded(epoch);
}

}  // namespace kh::upstream
