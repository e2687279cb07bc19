#include "endpoint/webhook_client.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <openssl/ssl.h>

#include <memory>

namespace kh::endpoint {
namespace {
std::unique_ptr<Poco::Net::HTTPClientSession> sessionFor(const Poco::URI& uri) {
    if (uri.getScheme() == "https") {
        // System trust store, full verification, TLS 1.2 or newer.
        Poco::Net::Context::Params p;
        p.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        p.loadDefaultCAs = true;
        Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
        SSL_CTX_set_min_proto_version(ctx->sslContext(), TLS1_2_VERSION);
        return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), ctx);
    }
    return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
}
}  // namespace

WebhookResult pushWebhook(const std::string& url, const std::string& bearerToken, const std::string& contentType,
                          const std::string& body, int timeoutSeconds) {
    try {
        Poco::URI uri(url);
        if (uri.getScheme() != "http" && uri.getScheme() != "https") return {false, "callback URL must be http or https"};
        auto session = sessionFor(uri);
        session->setTimeout(Poco::Timespan(timeoutSeconds, 0));
        Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
        req.setContentType(contentType.empty() ? "application/json" : contentType);
        req.setContentLength(std::streamsize(body.size()));
        if (!bearerToken.empty()) req.set("Authorization", "Bearer " + bearerToken);
        session->sendRequest(req) << body;
        Poco::Net::HTTPResponse res;
        std::string ignored;
        Poco::StreamCopier::copyToString(session->receiveResponse(res), ignored);
        if (res.getStatus() >= 200 && res.getStatus() < 300) return {true, ""};
        return {false, "callback answered HTTP " + std::to_string(int(res.getStatus()))};
    } catch (const Poco::Exception& e) {
        return {false, e.displayText()};
    } catch (const std::exception& e) {
        return {false, e.what()};
    }
}

}  // namespace kh::endpoint
