// X.509 for the web admin: what a certificate says (subject, issuer, validity — for the expiry
// countdown), the box's own self-signed certificate for the admin pages, made at first start, and the
// facility's key for the central system made here with a CSR (PKCS#10) for the CA to sign.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kh::crypto {

struct CertificateInfo {
    std::string subject, issuer, serialHex, sha256Fingerprint;  // fingerprint: hex with colons
    int64_t notBefore = 0, notAfter = 0;                        // unix seconds
    bool ca = false;               // basicConstraints CA:TRUE
    bool clientAuthAllowed = true;  // no extendedKeyUsage, or one that lists clientAuth
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

// Each certificate of a PEM text (a leaf and its chain, or a CA bundle), each as its own PEM, in order.
std::vector<std::string> certificatePems(const std::string& pem);

enum class KeyAlgorithm { EcP256, Rsa2048 };

struct KeyAndRequest {
    std::string keyPem, requestPem;  // PKCS#8 key; "-----BEGIN CERTIFICATE REQUEST-----"
};

// A new key and a CSR (PKCS#10, SHA-256) for the subject CN=`commonName`, signed by that key.
// Throws std::runtime_error on failure.
KeyAndRequest makeKeyAndRequest(const std::string& commonName, KeyAlgorithm algorithm);

// Whether the first certificate of `certificatePem` carries the public half of the private key in
// `keyPem`; false when either does not parse.
bool certificateMatchesKey(const std::string& certificatePem, const std::string& keyPem);

}  // namespace kh::crypto
