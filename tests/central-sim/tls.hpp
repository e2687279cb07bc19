// The API server's TLS: TLS 1.2 or 1.3 only, the server certificate, and mutual TLS against the
// facility CA (a client without a certificate from that CA fails the handshake). Also reads the
// client certificate's subject CN on an accepted connection.
#pragma once
#include <string>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerRequest.h>

namespace ksim {

Poco::Net::Context::Ptr makeServerContext(const std::string& certFile, const std::string& keyFile,
                                          const std::string& clientCaFile);

// The subject CN of the verified client certificate, or empty when there is none.
std::string peerCommonName(Poco::Net::HTTPServerRequest& request);

}  // namespace ksim
