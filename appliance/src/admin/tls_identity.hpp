// The box's own HTTPS certificates: made at first start (self-signed, EC P-256, five years) and kept in
// the state folder — for the admin pages until IT staff configure one (admin.certFile / keyFile), and for
// the LAN API of a box whose configured certificate is not there yet.
#pragma once
#include <string>

namespace kh::admin {

struct TlsFiles {
    std::string certFile, keyFile;
};

// Returns the files under <stateDir>/<folder>, making them when missing (written durably, 0600).
TlsFiles ensureSelfSignedCertificate(const std::string& stateDir, const std::string& folder = "admin-tls");

}  // namespace kh::admin
