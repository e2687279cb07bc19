// The JPKI side of a card check on a home visit: the test user-authentication CA the simulator trusts
// (--jpki-ca), a card's user-auth certificate (利用者証明用電子証明書, DER X.509) — issued by that CA and
// within its validity period — its serial number, and the card's signature over a nonce
// (RSASSA-PKCS1-v1_5 with SHA-256, as the card signs a DigestInfo). Thin OpenSSL wrappers; revocation
// (CRL, OCSP) is not simulated.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include <openssl/x509.h>

namespace ksim {

struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// The certificate the DER bytes hold (all of them, nothing after it); null when they hold none.
X509Ptr parseDerCertificate(const std::string& der);

class JpkiAuthority {
public:
    // Reads the PEM CA certificate; an empty path trusts nothing. Throws std::runtime_error when the
    // file cannot be read as a certificate.
    explicit JpkiAuthority(const std::string& pemFile);

    bool configured() const { return ca_ != nullptr; }
    // Issued by this CA (issuer name equal to the CA's subject, signature verified with the CA's
    // public key) and valid now.
    bool trusts(X509* certificate) const;

private:
    X509Ptr ca_;
};

// RSASSA-PKCS1-v1_5 with SHA-256 over data, verified with the certificate's RSA public key.
bool verifySha256Signature(X509* certificate, const std::string& data, const std::string& signature);

struct CertificateSerial {
    std::string hex;          // upper-case hex without 0x, as openssl prints it ("1001")
    std::uint64_t low64 = 0;  // its low 64 bits
};

CertificateSerial serialOf(X509* certificate);
// A serial given as hex text (either case, 1–40 digits); false when it is not one.
bool serialFromHex(const std::string& text, CertificateSerial& serial);

// Standard base64 (RFC 4648 §4, padding optional, no white space) to bytes; false when the text is
// empty or not base64.
bool decodeBase64(const std::string& text, std::string& bytes);

}  // namespace ksim
