// PKCS#12 (.p12 / .pfx), the form in which a facility's client certificate for the central system is
// usually handed over: opened with its passphrase into a PEM key, the PEM certificate whose key it is,
// and the chain that came with it. The reason a file does not open is told apart (not PKCS#12, wrong
// passphrase, no key or certificate, a certificate that is not the key's), so the web admin can say it.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kh::crypto {

enum class Pkcs12Problem {
    NotPkcs12,           // not DER PKCS#12 at all
    WrongPassphrase,     // the integrity check (MAC) or the decryption failed
    Unsupported,         // an algorithm this OpenSSL cannot use
    NoKey,               // no private key inside
    NoCertificate,       // no certificate inside
    KeyMismatch,         // certificates inside, but none is the key's
};

class Pkcs12Error : public std::runtime_error {
public:
    Pkcs12Error(Pkcs12Problem problem, const std::string& what) : std::runtime_error(what), problem_(problem) {}
    Pkcs12Problem problem() const { return problem_; }

private:
    Pkcs12Problem problem_;
};

struct Pkcs12Contents {
    std::string keyPem;                  // PKCS#8, unencrypted: the caller keeps it 0600 and zeroes copies
    std::string certificatePem;          // the certificate of that key
    std::vector<std::string> chainPems;  // the other certificates, in the order of the file
};

// Opens DER PKCS#12 bytes. Throws Pkcs12Error. Older files (RC2 / RC4 encryption) are opened with
// OpenSSL's legacy provider when the default one refuses them.
Pkcs12Contents openPkcs12(std::string_view der, const std::string& passphrase);

}  // namespace kh::crypto
