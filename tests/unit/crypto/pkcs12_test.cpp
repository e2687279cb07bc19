#include <catch2/catch.hpp>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <memory>

#include "crypto/pkcs12.hpp"
#include "crypto/x509.hpp"

using namespace kh::crypto;

namespace {

struct Pem {
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    ~Pem() {
        EVP_PKEY_free(key);
        X509_free(cert);
    }
};

void load(const KeyAndCertificate& made, Pem& into) {
    BIO* k = BIO_new_mem_buf(made.keyPem.data(), int(made.keyPem.size()));
    BIO* c = BIO_new_mem_buf(made.certificatePem.data(), int(made.certificatePem.size()));
    into.key = PEM_read_bio_PrivateKey(k, nullptr, nullptr, nullptr);
    into.cert = PEM_read_bio_X509(c, nullptr, nullptr, nullptr);
    BIO_free(k);
    BIO_free(c);
    REQUIRE(into.key);
    REQUIRE(into.cert);
}

// A PKCS#12 as a vendor would hand it over; nid 0 takes OpenSSL's defaults (AES-256, PBKDF2).
std::string pkcs12(const char* passphrase, EVP_PKEY* key, X509* cert, X509* chainCert = nullptr, int nid = 0) {
    STACK_OF(X509)* chain = sk_X509_new_null();
    if (chainCert) sk_X509_push(chain, chainCert);
    PKCS12* p12 = PKCS12_create(passphrase, "facility", key, cert, chain, nid, nid, 0, 0, 0);
    sk_X509_free(chain);
    REQUIRE(p12);
    unsigned char* der = nullptr;
    int n = i2d_PKCS12(p12, &der);
    PKCS12_free(p12);
    REQUIRE(n > 0);
    std::string out(reinterpret_cast<char*>(der), size_t(n));
    OPENSSL_free(der);
    return out;
}

Pkcs12Problem problemOpening(const std::string& der, const std::string& passphrase) {
    try {
        openPkcs12(der, passphrase);
    } catch (const Pkcs12Error& e) {
        return e.problem();
    }
    FAIL("the PKCS#12 opened");
    return Pkcs12Problem::NotPkcs12;
}

}  // namespace

TEST_CASE("a PKCS#12 opens with its passphrase into the key, its certificate and the chain", "[crypto][pkcs12]") {
    auto facility = makeSelfSigned("1312345679", {}, {}, 30);
    auto issuer = makeSelfSigned("Demo Facility CA", {}, {}, 30);
    Pem f, i;
    load(facility, f);
    load(issuer, i);
    auto opened = openPkcs12(pkcs12("Kagi-2026", f.key, f.cert, i.cert), "Kagi-2026");
    CHECK(opened.certificatePem == facility.certificatePem);
    CHECK(opened.keyPem.find("-----BEGIN PRIVATE KEY-----") == 0);
    CHECK(certificateMatchesKey(opened.certificatePem, opened.keyPem));
    CHECK(certificateMatchesKey(opened.certificatePem, facility.keyPem));
    REQUIRE(opened.chainPems.size() == 1);
    CHECK(opened.chainPems[0] == issuer.certificatePem);
}

TEST_CASE("a PKCS#12 of older tools (3DES, SHA-1 MAC) and one with an empty passphrase open", "[crypto][pkcs12]") {
    auto facility = makeSelfSigned("1312345679", {}, {}, 30);
    Pem f;
    load(facility, f);
    auto opened = openPkcs12(pkcs12("old", f.key, f.cert, nullptr, NID_pbe_WithSHA1And3_Key_TripleDES_CBC), "old");
    CHECK(opened.certificatePem == facility.certificatePem);
    CHECK(opened.chainPems.empty());
    CHECK(openPkcs12(pkcs12("", f.key, f.cert), "").certificatePem == facility.certificatePem);
}

TEST_CASE("a wrong passphrase is told apart from a file that is not PKCS#12", "[crypto][pkcs12]") {
    auto facility = makeSelfSigned("1312345679", {}, {}, 30);
    Pem f;
    load(facility, f);
    std::string der = pkcs12("Kagi-2026", f.key, f.cert);
    CHECK(problemOpening(der, "kagi-2026") == Pkcs12Problem::WrongPassphrase);
    CHECK(problemOpening(der, "") == Pkcs12Problem::WrongPassphrase);
    CHECK(problemOpening(facility.certificatePem, "Kagi-2026") == Pkcs12Problem::NotPkcs12);
    CHECK(problemOpening("", "Kagi-2026") == Pkcs12Problem::NotPkcs12);
    CHECK(problemOpening(der.substr(0, der.size() / 2), "Kagi-2026") == Pkcs12Problem::NotPkcs12);
}

TEST_CASE("a PKCS#12 whose certificate is not the key's is refused, as is one lacking either", "[crypto][pkcs12]") {
    auto facility = makeSelfSigned("1312345679", {}, {}, 30);
    auto other = makeSelfSigned("2712345673", {}, {}, 30);
    Pem f, o;
    load(facility, f);
    load(other, o);
    // PKCS12_create will not pair a certificate with a foreign key: the other one goes in as "chain".
    CHECK(problemOpening(pkcs12("p", f.key, nullptr, o.cert), "p") == Pkcs12Problem::KeyMismatch);
    CHECK(problemOpening(pkcs12("p", f.key, nullptr), "p") == Pkcs12Problem::NoCertificate);
    CHECK(problemOpening(pkcs12("p", nullptr, f.cert), "p") == Pkcs12Problem::NoKey);
}
