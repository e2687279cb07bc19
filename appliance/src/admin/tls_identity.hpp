// The box's own HTTPS certificates: made at first start (self-signed, EC P-256, five years) and kept in
// the state folder — for the admin pages until IT staff configure one (admin.certFile / keyFile), and for
// the LAN API of a box whose configured certificate is not there yet.
#pragma once
#include <string>
#include <vector>

namespace kh::admin {

struct TlsFiles {
    std::string certFile, keyFile;
};

// Whom a certificate made here names. Empty: the box's host name. An HA pair names the pair (its name and
// floating address), never one node: the certificate lies on the replicated /data and is the same on both,
// so browsers and receipt computers see one certificate whichever node answers.
struct TlsSubject {
    std::string name;
    std::vector<std::string> addresses;
};

// Returns the files under <stateDir>/<folder>, making them when missing (written durably, 0600).
TlsFiles ensureSelfSignedCertificate(const std::string& stateDir, const std::string& folder = "admin-tls",
                                     const TlsSubject& subject = {});

}  // namespace kh::admin
