// The facility's certificates for the central system, managed in the web admin: what is installed and
// when it expires; a PKCS#12 upload, or a key made here with a CSR to download and the signed
// certificate uploaded later; the central CA. A new client certificate or CA is put to use at once
// (the upstream transport is given a new TLS context), without a restart, and must be confirmed within
// the pending-change window or it is rolled back (it may have cut the link to the central system).
#pragma once
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "admin/pending_changes.hpp"
#include "store/audit_log.hpp"
#include "store/settings.hpp"
#include "upstream/https_transport.hpp"

namespace kh::admin {

struct CertificateParts {
    store::AuditLog& audit;
    store::Settings& settings;
    upstream::HttpsTransport& transport;
    std::string stateDir;       // installed files go under <stateDir>/tls (0600)
    std::string institutionCode;  // the CSR's subject CN
    PendingChanges& pending;      // a new certificate or CA must be confirmed within the window
};

std::vector<AdminRoute> certificateRoutes(CertificateParts parts);

}  // namespace kh::admin
