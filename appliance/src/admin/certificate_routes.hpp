// The facility's certificates for the central system, managed in the web admin: what is installed and
// when it expires; a PKCS#12 upload, or a key made here with a CSR to download and the signed
// certificate uploaded later; the central CA. A new client certificate or CA is put to use at once
// (the upstream transport is given a new TLS context), without a restart, and must be confirmed within
// the pending-change window or it is rolled back (it may have cut the link to the central system).
#pragma once
#include <string>
#include <vector>

#include "admin/admin_route.hpp"
#include "admin/certificate_installer.hpp"

namespace kh::admin {

std::vector<AdminRoute> certificateRoutes(CertificateParts parts);

}  // namespace kh::admin
