// X.509 for the web admin: what a certificate says (subject, issuer, validity — for the expiry
// countdown), and the box's own self-signed certificate for the admin pages, made at first start.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kh::crypto {

struct CertificateInfo {
    std::string subject, issuer, serialHex, sha256Fingerprint;  // fingerprint: hex with colons
    int64_t notBefore = 0, notAfter = 0;                        // unix seconds
};

// The first certificate of a PEM text; nullopt when there is none.
std::optional<CertificateInfo> readCertificatePem(const std::string& pem);

struct KeyAndCertificate {
    std::string keyPem, certificatePem;
};

// EC P-256 key and a self-signed certificate (SHA-256) for `commonName`, with the DNS names and IP
// addresses as subjectAltName, valid from now for `days`. Throws std::runtime_error on failure.
KeyAndCertificate makeSelfSigned(const std::string& commonName, const std::vector<std::string>& dnsNames,
                                 const std::vector<std::string>& ipAddresses, int days);

}  // namespace kh::crypto
