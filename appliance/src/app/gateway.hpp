// The running gateway: every part of `kakehashi serve`, built from the configuration in dependency order
// and stopped in reverse (channels first, so nothing new is accepted while work drains).
#pragma once
#include <atomic>
#include <memory>
#include <thread>

#include "app/config.hpp"
#include "base/background_loop.hpp"
#include "endpoint/face_files.hpp"
#include "endpoint/file_drop.hpp"
#include "endpoint/api_listener.hpp"
#include "endpoint/metrics.hpp"
#include "endpoint/plugin_channel.hpp"
#include "plugins/registry.hpp"
#include "services/home_consent_service.hpp"
#include "services/medical_aid_service.hpp"
#include "services/home_reception.hpp"
#include "store/consents.hpp"
#include "store/visits.hpp"
#include "services/visit_service.hpp"
#include "store/dead_letters.hpp"
#include "store/settings.hpp"
#include "admin/admin_server.hpp"
#include "admin/dashboard_routes.hpp"
#include "admin/pair_status.hpp"
#include "admin/pending_changes.hpp"
#include "cardreader/reader_monitor.hpp"
#include "services/batch_service.hpp"
#include "services/card_check_service.hpp"
#include "store/audit_log.hpp"
#include "store/sessions.hpp"
#include "store/setup_code.hpp"
#include "store/sign_in_throttle.hpp"
#include "store/users.hpp"
#include "upstream/central_client.hpp"
#include "upstream/outbox.hpp"
#include "services/eligibility_service.hpp"
#include "services/reference_number_service.hpp"
#include "store/api_clients.hpp"
#include "store/batches.hpp"
#include "store/eligibility_cache.hpp"
#include "store/inbound_files.hpp"
#include "store/journal.hpp"
#include "store/outbound_queue.hpp"
#include "store/reference_numbers.hpp"
#include "store/store.hpp"
#include "store/terminal_requests.hpp"
#include "upstream/dispatcher.hpp"
#include "upstream/https_transport.hpp"
#include "upstream/link_health.hpp"

namespace kh::app {

class Gateway {
public:
    explicit Gateway(const Config& config);
    ~Gateway();
    void start();
    void stop();
    unsigned short httpPort() const { return http_->port(); }
    unsigned short adminPort() const { return admin_ ? admin_->port() : 0; }
    void reloadPlugins();  // SIGHUP: every plugin re-read from disk, without a restart

private:
    void addMetrics();
    std::vector<admin::CertificateFact> certificatesInUse();
    void fetchHomeReceptionUrl();
    void buildAdmin();
    void announceSetupCode();
    void keepAuditLog();
    void relayFaceFile(const std::string& name, const std::string& bytes);
    void probeLink();

    Config config_;
    std::atomic<bool> ready_{false};
    store::Store store_;
    store::Journal journal_;
    store::EligibilityCache cache_;
    store::OutboundQueue queue_;
    store::InboundFiles inbound_;
    store::Batches batches_;
    store::ApiClients clients_;
    store::DeadLetters deadLetters_;
    store::Settings settings_;
    store::Consents consents_;
    store::Visits visits_;
    upstream::LinkHealth linkHealth_;  // what the dashboard, the metrics and the certificate trial show
    upstream::HttpsTransport transport_;
    store::TerminalRequests terminalRequests_;  // profile terminal: the request files written to its share
    upstream::Outbox outbox_;
    std::unique_ptr<upstream::CentralClient> central_;  // the profile the configuration chose
    upstream::CircuitBreaker breaker_;
    upstream::Dispatcher dispatcher_;
    store::ReferenceNumbers referenceNumbers_;
    services::ReferenceNumberService referenceNumberService_;
    services::EligibilityService eligibility_;
    services::BatchService batchService_;
    services::HomeReceptionService homeReception_;
    services::HomeConsentService homeConsent_;
    services::MedicalAidService medicalAid_;
    services::VisitService visitService_;
    store::Retention retention_;
    services::Housekeeping housekeeping_;
    store::AuditLog audit_;
    cardreader::ReaderMonitor readerMonitor_;
    cardreader::JpkiCards cards_;
    services::CardCheckService cardChecks_;
    store::Users users_;
    store::Sessions sessions_;
    store::Sessions staffSessions_;  // the staff page's: a shift long
    store::SignInThrottle signInThrottle_;
    store::SetupCode setupCode_;
    endpoint::Metrics metrics_;
    std::unique_ptr<plugins::PluginRegistry> plugins_;
    std::unique_ptr<endpoint::PluginChannel> pluginChannel_;
    std::unique_ptr<endpoint::StaffAccess> staffAccess_;
    std::unique_ptr<http::Server> http_;
    std::unique_ptr<endpoint::HomeConsentFiles> homeConsentFiles_;
    std::unique_ptr<endpoint::MedicalAidFiles> medicalAidFiles_;
    std::unique_ptr<endpoint::FileDrop> fileDrop_;
    std::unique_ptr<endpoint::FaceFiles> faceFiles_;
    std::unique_ptr<admin::PendingChanges> pendingChanges_;
    std::unique_ptr<services::FirmwareUpdates> firmware_;
    std::unique_ptr<services::SystemSetup> systemSetup_;
    admin::PairStatus pair_;
    std::string lanCertFile_;    // the LAN API's certificate in use (configured or made here)
    std::string adminCertFile_;  // the web admin's certificate in use (configured or made here)
    std::unique_ptr<admin::AdminServer> admin_;
    std::thread urlFetcher_;
    base::BackgroundLoop auditKeeper_;  // audit checkpoints at least hourly, and retention
    base::BackgroundLoop linkProber_;   // probes the link when nothing went over it for a while
};

std::string databasePath(const Config& c);
http::ServerSettings lanTls(const Config& c);
// The upstream profile the configuration names (upstream.profile): central-v1 or terminal.
std::unique_ptr<upstream::CentralClient> makeCentralClient(const Config& c, upstream::HttpsTransport& transport,
                                                           store::TerminalRequests& terminalRequests,
                                                           upstream::LinkHealth* health = nullptr);
// Queued calls under way at once: the terminal answers many files at a time; central-v1 keeps strict order.
int upstreamConcurrency(const Config& c);

}  // namespace kh::app
