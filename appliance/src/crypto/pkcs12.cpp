#include "crypto/pkcs12.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include <memory>
#include <mutex>

#include "crypto/openssl_handles.hpp"

namespace kh::crypto {
namespace {

using P12 = std::unique_ptr<PKCS12, OpensslFree<PKCS12, PKCS12_free>>;

void freeCerts(STACK_OF(X509)* s) { sk_X509_pop_free(s, X509_free); }
using Certs = std::unique_ptr<STACK_OF(X509), OpensslFree<STACK_OF(X509), freeCerts>>;

[[noreturn]] void refuse(Pkcs12Problem problem, const char* what) {
    ERR_clear_error();
    throw Pkcs12Error(problem, std::string("PKCS#12: ") + what);
}

std::string textOf(BIO* b) {
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    return std::string(data, size_t(n));
}

std::string certificateText(X509* cert) {
    Bio out(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(out.get(), cert);
    return textOf(out.get());
}

std::string keyText(EVP_PKEY* key) {
    Bio out(BIO_new(BIO_s_secmem()));  // cleared when freed
    PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    return textOf(out.get());
}

// RC2-40 and friends, still found in .p12 files exported by older tools, live in the legacy provider.
// Loaded once, on the first file that needs it; the default provider stays in use for everything else.
bool loadLegacyProvider() {
    static std::once_flag once;
    static OSSL_PROVIDER* legacy = nullptr;
    std::call_once(once, [] { legacy = OSSL_PROVIDER_try_load(nullptr, "legacy", 1); });
    ERR_clear_error();
    return legacy != nullptr;
}

struct Parsed {
    Key key;
    Cert cert;
    Certs chain;
};

bool parse(PKCS12* p12, const char* passphrase, Parsed& out) {
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* chain = nullptr;
    if (PKCS12_parse(p12, passphrase, &key, &cert, &chain) != 1) return false;
    out = {Key(key), Cert(cert), Certs(chain)};
    return true;
}

// The passphrase as the file was made with it: OpenSSL tells an empty passphrase ("") from none (NULL).
const char* passphraseFor(PKCS12* p12, const std::string& passphrase) {
    if (!PKCS12_mac_present(p12)) return passphrase.c_str();
    if (PKCS12_verify_mac(p12, passphrase.c_str(), int(passphrase.size())) == 1) return passphrase.c_str();
    if (passphrase.empty() && PKCS12_verify_mac(p12, nullptr, 0) == 1) return nullptr;
    refuse(Pkcs12Problem::WrongPassphrase, "wrong passphrase");
}

}  // namespace

Pkcs12Contents openPkcs12(std::string_view der, const std::string& passphrase) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    P12 p12(d2i_PKCS12(nullptr, &p, long(der.size())));
    if (!p12) refuse(Pkcs12Problem::NotPkcs12, "not a PKCS#12 file");
    bool macChecked = PKCS12_mac_present(p12.get()) == 1;
    const char* pass = passphraseFor(p12.get(), passphrase);
    Parsed parsed;
    if (!parse(p12.get(), pass, parsed) && !(loadLegacyProvider() && parse(p12.get(), pass, parsed))) {
        // With the integrity check passed the passphrase is right: what is left is an algorithm we lack.
        if (macChecked) refuse(Pkcs12Problem::Unsupported, "an unsupported algorithm");
        refuse(Pkcs12Problem::WrongPassphrase, "wrong passphrase");
    }
    ERR_clear_error();
    if (!parsed.key) refuse(Pkcs12Problem::NoKey, "no private key inside");
    int others = parsed.chain ? sk_X509_num(parsed.chain.get()) : 0;
    if (!parsed.cert && others == 0) refuse(Pkcs12Problem::NoCertificate, "no certificate inside");
    // PKCS12_parse picks the certificate of the key; when none is, every certificate lands in the chain.
    if (!parsed.cert || X509_check_private_key(parsed.cert.get(), parsed.key.get()) != 1)
        refuse(Pkcs12Problem::KeyMismatch, "the certificate is not the key's");
    Pkcs12Contents out;
    out.keyPem = keyText(parsed.key.get());
    out.certificatePem = certificateText(parsed.cert.get());
    for (int i = 0; i < others; ++i) out.chainPems.push_back(certificateText(sk_X509_value(parsed.chain.get(), i)));
    return out;
}

}  // namespace kh::crypto
