#include "tls.hpp"

#include <openssl/ssl.h>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>

namespace ksim {

Poco::Net::Context::Ptr makeServerContext(const std::string& certFile, const std::string& keyFile,
                                          const std::string& clientCaFile) {
    using Poco::Net::Context;
    Context::Params params;
    params.certificateFile = certFile;
    params.privateKeyFile = keyFile;
    params.caLocation = clientCaFile;
    params.verificationMode = Context::VERIFY_STRICT;  // a client certificate is required
    params.loadDefaultCAs = false;
    params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
    Context::Ptr context = new Context(Context::TLS_SERVER_USE, params);
    context->requireMinimumProtocol(Context::PROTO_TLSV1_2);
    context->enableSessionCache(true, "kakehashi-central-sim");
    // POCO would also match a client certificate against the peer's host name; a facility
    // certificate names an institution, not a host.
    context->enableExtendedCertificateVerification(false);
    SSL_CTX* ssl = context->sslContext();
    // OpenSSL's own chain check, without POCO's certificate-handler machinery.
    SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(clientCaFile.c_str()))
        SSL_CTX_set_client_CA_list(ssl, names);
    return context;
}

std::string peerCommonName(Poco::Net::HTTPServerRequest& request) {
    try {
        auto& impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request);
        Poco::Net::SecureStreamSocket socket(impl.socket());
        if (!socket.havePeerCertificate()) return {};
        return socket.peerCertificate().commonName();
    } catch (const std::exception&) {  // not a TLS connection, or no certificate
        return {};
    }
}

}  // namespace ksim
