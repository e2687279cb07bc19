#include "jpki.hpp"

#include <cctype>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

namespace ksim {

namespace {

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct BnFree {
    void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// The low 64 bits of a serial written in hex (the last 16 digits).
std::uint64_t low64OfHex(const std::string& hex) {
    std::string tail = hex.size() > 16 ? hex.substr(hex.size() - 16) : hex;
    return tail.empty() ? 0 : std::stoull(tail, nullptr, 16);
}

int base64Value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

}  // namespace

X509Ptr parseDerCertificate(const std::string& der) {
    if (der.empty() || der.size() > 64 * 1024) return nullptr;
    const auto* start = reinterpret_cast<const unsigned char*>(der.data());
    const unsigned char* next = start;
    X509Ptr certificate(d2i_X509(nullptr, &next, static_cast<long>(der.size())));
    ERR_clear_error();
    if (!certificate || next != start + der.size()) return nullptr;
    return certificate;
}

JpkiAuthority::JpkiAuthority(const std::string& pemFile) {
    if (pemFile.empty()) return;
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(pemFile.c_str(), "r"));
    if (bio) ca_.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (!ca_) throw std::runtime_error("cannot read the JPKI CA certificate " + pemFile);
}

bool JpkiAuthority::trusts(X509* certificate) const {
    if (!ca_ || !certificate) return false;
    bool trusted = X509_NAME_cmp(X509_get_issuer_name(certificate), X509_get_subject_name(ca_.get())) == 0;
    EVP_PKEY* caKey = X509_get0_pubkey(ca_.get());
    trusted = trusted && caKey && X509_verify(certificate, caKey) == 1;
    // X509_cmp_current_time: -1 before now, 1 after now, 0 on error.
    trusted = trusted && X509_cmp_current_time(X509_get0_notBefore(certificate)) < 0 &&
              X509_cmp_current_time(X509_get0_notAfter(certificate)) > 0;
    ERR_clear_error();
    return trusted;
}

bool verifySha256Signature(X509* certificate, const std::string& data, const std::string& signature) {
    EVP_PKEY* key = certificate ? X509_get0_pubkey(certificate) : nullptr;
    if (!key || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) return false;
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* keyCtx = nullptr;
    bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), &keyCtx, EVP_sha256(), nullptr, key) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(keyCtx, RSA_PKCS1_PADDING) == 1 &&
              EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                               reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    ERR_clear_error();
    return ok;
}

CertificateSerial serialOf(X509* certificate) {
    CertificateSerial serial;
    std::unique_ptr<BIGNUM, BnFree> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr));
    if (!bn) return serial;
    BN_set_negative(bn.get(), 0);
    if (char* hex = BN_bn2hex(bn.get())) {
        serial.hex = hex;
        OPENSSL_free(hex);
    }
    ERR_clear_error();
    serial.low64 = low64OfHex(serial.hex);
    return serial;
}

bool serialFromHex(const std::string& text, CertificateSerial& serial) {
    if (text.empty() || text.size() > 40) return false;
    std::string hex;
    for (char c : text) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
        hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    serial.hex = hex;
    serial.low64 = low64OfHex(hex);
    return true;
}

bool decodeBase64(const std::string& text, std::string& bytes) {
    std::size_t length = text.size();
    while (length > 0 && text.size() - length < 2 && text[length - 1] == '=') --length;
    bool padded = length != text.size();
    if (length == 0 || length % 4 == 1 || (padded && text.size() % 4 != 0)) return false;
    bytes.clear();
    unsigned buffer = 0;
    int bits = 0;
    for (std::size_t i = 0; i < length; ++i) {
        int value = base64Value(text[i]);
        if (value < 0) return false;
        buffer = (buffer << 6) | static_cast<unsigned>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return true;
}

}  // namespace ksim
