#include "crypto/x509.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>

#include "crypto/openssl_handles.hpp"

namespace kh::crypto {
namespace {

using Request = std::unique_ptr<X509_REQ, OpensslFree<X509_REQ, X509_REQ_free>>;

std::string nameText(const X509_NAME* name) {
    Bio out(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    long n = BIO_get_mem_data(out.get(), &data);
    return std::string(data, size_t(n));
}

int64_t unixTime(const ASN1_TIME* t) {
    struct tm tm {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return int64_t(timegm(&tm));
}

std::string bioText(BIO* b) {
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    return std::string(data, size_t(n));
}

void fail(const char* what) { throw std::runtime_error(std::string("self-signed certificate: ") + what); }

// Never asks for a passphrase (OpenSSL's default would prompt on the terminal): an encrypted key does not load.
int noPassphrase(char*, int, int, void*) { return 0; }

Bio memoryOf(const std::string& text) { return Bio(BIO_new_mem_buf(text.data(), int(text.size()))); }

// clientAuth use: no extendedKeyUsage at all (any use), or one naming clientAuth or any use.
bool allowsClientAuth(X509* cert) {
    if (!(X509_get_extension_flags(cert) & EXFLAG_XKUSAGE)) return true;
    return (X509_get_extended_key_usage(cert) & (XKU_SSL_CLIENT | XKU_ANYEKU)) != 0;
}

}  // namespace

std::optional<CertificateInfo> readCertificatePem(const std::string& pem) {
    Bio in = memoryOf(pem);
    Cert cert(PEM_read_bio_X509(in.get(), nullptr, noPassphrase, nullptr));
    if (!cert) {
        ERR_clear_error();
        return std::nullopt;
    }
    CertificateInfo info;
    info.subject = nameText(X509_get_subject_name(cert.get()));
    info.issuer = nameText(X509_get_issuer_name(cert.get()));
    info.notBefore = unixTime(X509_get0_notBefore(cert.get()));
    info.notAfter = unixTime(X509_get0_notAfter(cert.get()));
    info.ca = (X509_get_extension_flags(cert.get()) & EXFLAG_CA) != 0;
    info.clientAuthAllowed = allowsClientAuth(cert.get());
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr)) {
        char* hex = BN_bn2hex(bn);
        info.serialHex = hex;
        OPENSSL_free(hex);
        BN_free(bn);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(cert.get(), EVP_sha256(), md, &len);
    char b[4];
    for (unsigned i = 0; i < len; ++i) {
        std::snprintf(b, sizeof b, i ? ":%02X" : "%02X", md[i]);
        info.sha256Fingerprint += b;
    }
    return info;
}

KeyAndCertificate makeSelfSigned(const std::string& commonName, const std::vector<std::string>& dnsNames,
                                 const std::vector<std::string>& ipAddresses, int days) {
    Key key(EVP_EC_gen("P-256"));
    if (!key) fail("no key");
    Cert cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) fail("no randomness");
    serial[0] &= 0x7F;  // a positive serial
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), long(days) * 86400);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Kakehashi"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key.get());
    std::string sans;
    for (const auto& d : dnsNames) sans += (sans.empty() ? "DNS:" : ",DNS:") + d;
    for (const auto& ip : ipAddresses) sans += (sans.empty() ? "IP:" : ",IP:") + ip;
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    auto add = [&](int nid, const std::string& value) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        if (!ext) fail("bad extension");
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
    };
    add(NID_basic_constraints, "critical,CA:FALSE");
    add(NID_key_usage, "critical,digitalSignature");
    add(NID_ext_key_usage, "serverAuth");
    if (!sans.empty()) add(NID_subject_alt_name, sans);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("signing failed");
    Bio keyOut(BIO_new(BIO_s_mem())), certOut(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_X509(certOut.get(), cert.get());
    return {bioText(keyOut.get()), bioText(certOut.get())};
}

std::vector<std::string> certificatePems(const std::string& pem) {
    std::vector<std::string> out;
    Bio in = memoryOf(pem);
    while (Cert cert{PEM_read_bio_X509(in.get(), nullptr, noPassphrase, nullptr)}) {
        Bio text(BIO_new(BIO_s_mem()));
        PEM_write_bio_X509(text.get(), cert.get());
        out.push_back(bioText(text.get()));
    }
    ERR_clear_error();  // the end of the text reads as an error
    return out;
}

KeyAndRequest makeKeyAndRequest(const std::string& commonName, KeyAlgorithm algorithm) {
    auto failed = [](const char* what) { return std::runtime_error(std::string("certificate request: ") + what); };
    Key key(algorithm == KeyAlgorithm::Rsa2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
    if (!key) throw failed("no key");
    Request req(X509_REQ_new());
    if (!req || X509_REQ_set_version(req.get(), 0) != 1) throw failed("no request");
    X509_NAME* name = X509_REQ_get_subject_name(req.get());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(commonName.c_str()),
                                   -1, -1, 0) != 1)
        throw failed("bad subject");
    if (X509_REQ_set_pubkey(req.get(), key.get()) != 1) throw failed("no public key");
    if (X509_REQ_sign(req.get(), key.get(), EVP_sha256()) == 0) throw failed("signing failed");
    Bio keyOut(BIO_new(BIO_s_mem())), reqOut(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        PEM_write_bio_X509_REQ(reqOut.get(), req.get()) != 1)
        throw failed("cannot write PEM");
    return {bioText(keyOut.get()), bioText(reqOut.get())};
}

bool certificateMatchesKey(const std::string& certificatePem, const std::string& keyPem) {
    Bio certIn = memoryOf(certificatePem), keyIn = memoryOf(keyPem);
    Cert cert(PEM_read_bio_X509(certIn.get(), nullptr, noPassphrase, nullptr));
    Key key(PEM_read_bio_PrivateKey(keyIn.get(), nullptr, noPassphrase, nullptr));
    bool matches = cert && key && X509_check_private_key(cert.get(), key.get()) == 1;
    ERR_clear_error();
    return matches;
}

}  // namespace kh::crypto
