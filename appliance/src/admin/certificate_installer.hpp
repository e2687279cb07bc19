// Installing the facility's client certificate or the central CA while the box runs: write the files
// (in order, durably, 0600), give the transport its new TLS context, record the settings so the next start
// uses the same files — and keep what was there before, so the change can be rolled back until it is
// confirmed. It may be confirmed only once something came back over the link with the new files (the
// transport's reload starts a new epoch of the link's health, and the probe runs at once).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "admin/pending_changes.hpp"
#include "store/audit_log.hpp"
#include "store/settings.hpp"
#include "upstream/https_transport.hpp"
#include "upstream/link_health.hpp"

namespace kh::admin {

// Where installed files live: <stateDir>/tls, 0700, each file 0600.
struct TlsPaths {
    std::string dir, clientKey, clientCert, pendingKey, centralCa;
};
TlsPaths tlsPaths(const std::string& stateDir);

// Removes a file and makes the removal durable.
void removeFile(const std::string& dir, const std::string& path);

struct CertificateParts {
    store::AuditLog& audit;
    store::Settings& settings;
    upstream::HttpsTransport& transport;
    upstream::LinkHealth& link;   // a change is proven by an exchange over it
    std::string stateDir;         // installed files go under <stateDir>/tls (0600)
    std::string institutionCode;  // the CSR's subject CN
    PendingChanges& pending;      // a new certificate or CA must be confirmed within the window
};

class CertificateInstaller {
public:
    explicit CertificateInstaller(CertificateParts& p) : p_(p), paths_(tlsPaths(p.stateDir)) {}
    const TlsPaths& paths() const { return paths_; }

    // Throws model::KakehashiError: ChangePending while an earlier change waits; InvalidField (Japanese) when
    // the transport cannot use the files, which are then put back as they were.
    void install(const std::vector<std::pair<std::string, std::string>>& files, const upstream::TlsSettings& next,
                 const std::vector<std::pair<const char*, std::string>>& settings, const std::string& actor);
    void installClient(const std::string& keyPem, const std::string& certificatePem, const std::string& actor);

private:
    using Saved = std::vector<std::pair<std::string, std::optional<std::string>>>;
    void keepForRollback(Saved before, const upstream::TlsSettings& previous,
                         const std::vector<std::pair<const char*, std::string>>& settings, const std::string& actor);
    static void putBackFiles(const std::string& dir, Saved& before);

    CertificateParts& p_;
    TlsPaths paths_;
};

// What a certificate change still waits for before it may be kept (empty: nothing), in Japanese.
std::string linkProof(const upstream::LinkHealth& link);

}  // namespace kh::admin
