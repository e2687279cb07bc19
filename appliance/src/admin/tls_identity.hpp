// The admin pages' own HTTPS certificate: made at first start (self-signed, EC P-256, five years) and
// kept in the state folder, until IT staff configure one of their own (admin.certFile / keyFile).
#pragma once
#include <string>

namespace kh::admin {

struct TlsFiles {
    std::string certFile, keyFile;
};

// Returns the files under <stateDir>/admin-tls, making them when missing (written durably, 0600).
TlsFiles ensureSelfSignedCertificate(const std::string& stateDir);

}  // namespace kh::admin
