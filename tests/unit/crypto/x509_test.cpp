#include <catch2/catch.hpp>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "crypto/x509.hpp"

using namespace kh::crypto;

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Request = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;

Request requestOf(const std::string& pem) {
    BIO* in = BIO_new_mem_buf(pem.data(), int(pem.size()));
    Request r(PEM_read_bio_X509_REQ(in, nullptr, nullptr, nullptr));
    BIO_free(in);
    return r;
}

Key keyOf(const std::string& pem) {
    BIO* in = BIO_new_mem_buf(pem.data(), int(pem.size()));
    Key k(PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr));
    BIO_free(in);
    return k;
}

Cert certOf(const std::string& pem) {
    BIO* in = BIO_new_mem_buf(pem.data(), int(pem.size()));
    Cert c(PEM_read_bio_X509(in, nullptr, nullptr, nullptr));
    BIO_free(in);
    return c;
}

std::string pemOf(X509* cert) {
    BIO* out = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(out, cert);
    char* data = nullptr;
    long n = BIO_get_mem_data(out, &data);
    std::string s(data, size_t(n));
    BIO_free(out);
    return s;
}

std::string commonName(X509_NAME* name) {
    char cn[256] = {};
    X509_NAME_get_text_by_NID(name, NID_commonName, cn, sizeof cn);
    return cn;
}

// Signs a certificate for `subjectKey` as the CA would, with the extensions given (openssl's text form).
std::string issue(EVP_PKEY* subjectKey, const std::string& cn, X509* issuer, EVP_PKEY* issuerKey,
                  const std::vector<std::pair<int, std::string>>& extensions, long fromSeconds = -60,
                  long toSeconds = 86400) {
    Cert cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), long(std::time(nullptr)));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), fromSeconds);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), toSeconds);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(cert.get()));
    X509_set_pubkey(cert.get(), subjectKey);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : extensions) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        REQUIRE(ext);
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
    }
    REQUIRE(X509_sign(cert.get(), issuerKey, EVP_sha256()) > 0);
    return pemOf(cert.get());
}

}  // namespace

TEST_CASE("a CSR for the facility carries CN=<institution code>, an EC P-256 key and a valid SHA-256 signature",
          "[crypto][x509]") {
    auto made = makeKeyAndRequest("1312345679", KeyAlgorithm::EcP256);
    CHECK(made.requestPem.find("-----BEGIN CERTIFICATE REQUEST-----") == 0);
    auto req = requestOf(made.requestPem);
    REQUIRE(req);
    CHECK(commonName(X509_REQ_get_subject_name(req.get())) == "1312345679");
    CHECK(X509_REQ_get_signature_nid(req.get()) == NID_ecdsa_with_SHA256);
    Key inRequest(X509_REQ_get_pubkey(req.get()));
    REQUIRE(inRequest);
    CHECK(X509_REQ_verify(req.get(), inRequest.get()) == 1);
    CHECK(EVP_PKEY_is_a(inRequest.get(), "EC"));
    CHECK(EVP_PKEY_get_bits(inRequest.get()) == 256);
    auto key = keyOf(made.keyPem);
    REQUIRE(key);
    CHECK(EVP_PKEY_eq(key.get(), inRequest.get()) == 1);
}

TEST_CASE("an RSA-2048 CSR verifies with its key, and each CSR has a key of its own", "[crypto][x509]") {
    auto made = makeKeyAndRequest("1312345679", KeyAlgorithm::Rsa2048);
    auto req = requestOf(made.requestPem);
    REQUIRE(req);
    CHECK(X509_REQ_get_signature_nid(req.get()) == NID_sha256WithRSAEncryption);
    Key inRequest(X509_REQ_get_pubkey(req.get()));
    CHECK(X509_REQ_verify(req.get(), inRequest.get()) == 1);
    CHECK(EVP_PKEY_is_a(inRequest.get(), "RSA"));
    CHECK(EVP_PKEY_get_bits(inRequest.get()) == 2048);
    auto again = makeKeyAndRequest("1312345679", KeyAlgorithm::Rsa2048);
    CHECK(again.keyPem != made.keyPem);
}

TEST_CASE("the certificate a CA signs for a CSR matches the key kept here, and no other", "[crypto][x509]") {
    auto made = makeKeyAndRequest("1312345679", KeyAlgorithm::EcP256);
    auto ca = makeKeyAndRequest("Demo Facility CA", KeyAlgorithm::EcP256);
    auto caKey = keyOf(ca.keyPem);
    auto caCert = certOf(issue(caKey.get(), "Demo Facility CA", nullptr, caKey.get(),
                               {{NID_basic_constraints, "critical,CA:TRUE"}, {NID_key_usage, "critical,keyCertSign"}}));
    Key inRequest(X509_REQ_get_pubkey(requestOf(made.requestPem).get()));
    std::string signed_ = issue(inRequest.get(), "1312345679", caCert.get(), caKey.get(),
                                {{NID_basic_constraints, "critical,CA:FALSE"}, {NID_ext_key_usage, "clientAuth"}});
    CHECK(certificateMatchesKey(signed_, made.keyPem));
    CHECK_FALSE(certificateMatchesKey(signed_, ca.keyPem));
    CHECK_FALSE(certificateMatchesKey(signed_, makeKeyAndRequest("1312345679", KeyAlgorithm::EcP256).keyPem));
    CHECK_FALSE(certificateMatchesKey(signed_, makeKeyAndRequest("1312345679", KeyAlgorithm::Rsa2048).keyPem));
    CHECK_FALSE(certificateMatchesKey("not a certificate", made.keyPem));
    CHECK_FALSE(certificateMatchesKey(signed_, "not a key"));
    auto self = makeSelfSigned("kakehashi", {"localhost"}, {}, 30);
    CHECK(certificateMatchesKey(self.certificatePem, self.keyPem));
    CHECK_FALSE(certificateMatchesKey(self.certificatePem, made.keyPem));
}

TEST_CASE("what a certificate may be used for: a CA, a client, or neither", "[crypto][x509]") {
    auto key = keyOf(makeKeyAndRequest("x", KeyAlgorithm::EcP256).keyPem);
    auto ca = readCertificatePem(issue(key.get(), "CA", nullptr, key.get(), {{NID_basic_constraints, "critical,CA:TRUE"}}));
    REQUIRE(ca);
    CHECK(ca->ca);
    auto client = readCertificatePem(issue(key.get(), "1312345679", nullptr, key.get(),
                                           {{NID_basic_constraints, "CA:FALSE"}, {NID_ext_key_usage, "clientAuth"}}));
    REQUIRE(client);
    CHECK_FALSE(client->ca);
    CHECK(client->clientAuthAllowed);
    auto anyUse = readCertificatePem(issue(key.get(), "1312345679", nullptr, key.get(), {}));
    REQUIRE(anyUse);
    CHECK(anyUse->clientAuthAllowed);  // no extendedKeyUsage: any use
    CHECK_FALSE(anyUse->ca);           // no basicConstraints: not a CA
    auto server = readCertificatePem(makeSelfSigned("kakehashi", {"localhost"}, {}, 30).certificatePem);
    REQUIRE(server);
    CHECK_FALSE(server->clientAuthAllowed);  // serverAuth only
    auto expired = readCertificatePem(issue(key.get(), "old", nullptr, key.get(), {}, -86400 * 10, -86400));
    REQUIRE(expired);
    CHECK(expired->notAfter < std::time(nullptr));
}

TEST_CASE("a PEM bundle splits into its certificates, in order", "[crypto][x509]") {
    auto a = makeSelfSigned("a", {}, {}, 30).certificatePem, b = makeSelfSigned("b", {}, {}, 30).certificatePem;
    auto split = certificatePems("leaf and chain:\n" + a + "\n" + b);
    REQUIRE(split.size() == 2);
    CHECK(split[0] == a);
    CHECK(split[1] == b);
    CHECK(certificatePems("no certificate here").empty());
    CHECK(certificatePems("").empty());
}
