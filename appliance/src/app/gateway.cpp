#include "app/gateway.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/admin_api.hpp"
#include "upstream/central_v1_client.hpp"
#include "upstream/terminal_client.hpp"
#include "admin/certificate_routes.hpp"
#include "admin/backup_routes.hpp"
#include "admin/channel_routes.hpp"
#include "admin/firmware_routes.hpp"
#include "admin/system_routes.hpp"
#include "admin/fleet_metrics.hpp"
#include "admin/pair_routes.hpp"
#include "model/japan_date.hpp"
#include "admin/terminal_routes.hpp"
#include "admin/plugin_routes.hpp"
#include "admin/receipt_setup_routes.hpp"
#include "admin/tls_identity.hpp"
#include "endpoint/http_api.hpp"
#include <cstdio>
#include <filesystem>
#include "plugins/spec_xml_adapter.hpp"
#include "spec/messages.hpp"
#include "base/files.hpp"
#include "base/log.hpp"

namespace kh::app {

namespace {
// A staff member signed in on the staff page stays signed in on that tablet for a working day.
constexpr int kStaffShiftSeconds = 10 * 3600;

bool readable(const std::string& path) { return !path.empty() && ::access(path.c_str(), R_OK) == 0; }
}  // namespace

// The LAN API's listener. A box set up through the web admin may not have its LAN certificate yet: it
// then serves HTTPS with a self-signed one of its own until the configured files are there.
http::ServerSettings lanTls(const Config& c) {
    http::ServerSettings s = c.http;
    if (!c.adminEnabled || s.certFile.empty() || (readable(s.certFile) && readable(s.keyFile))) return s;
    auto made = admin::ensureSelfSignedCertificate(c.stateDir, "lan-tls", {c.pair.name, {c.pair.address}});
    log::warn("http.certificate_missing", {{"configured", s.certFile}, {"using", made.certFile}});
    s.certFile = made.certFile;
    s.keyFile = made.keyFile;
    return s;
}

std::unique_ptr<upstream::CentralClient> makeCentralClient(const Config& c, upstream::HttpsTransport& transport,
                                                           store::TerminalRequests& terminalRequests,
                                                           upstream::LinkHealth* health) {
    if (c.upstreamProfile == "terminal") {
        upstream::TerminalSettings share = c.terminal;
        // Until the web admin's setup names the share, a folder that does not exist: every call is then
        // "unreachable" and waits in the queue, as with central-v1 before its certificates are there.
        if (share.url.empty() && share.path.empty()) share.path = c.stateDir + "/terminal-share-not-set";
        upstream::TerminalOptions options = upstream::terminalOptions(share);
        options.health = health;
        return std::make_unique<upstream::TerminalClient>(upstream::openShareFolder(share), terminalRequests, options,
                                                          c.institutionCode);
    }
    return std::make_unique<upstream::CentralV1Client>(transport, c.institutionCode);
}

// The share's password set in the web admin is sealed in the store; the configuration file's is used otherwise.
Config withTerminalPassword(Config c, store::Settings& settings, const store::DataKey& key) {
    if (c.upstreamProfile != "terminal") return c;
    try {
        if (auto password = admin::storedTerminalPassword(settings, key); !password.empty()) c.terminal.password = password;
    } catch (const std::exception& e) {
        log::error("upstream.terminal_password_unreadable", {{"error", e.what()}});
    }
    return c;
}

int upstreamConcurrency(const Config& c) { return c.upstreamProfile == "terminal" ? c.terminal.concurrency : 1; }

std::string databasePath(const Config& c) {
    ::mkdir(c.stateDir.c_str(), 0700);
    return c.stateDir + "/kakehashi.db";
}

Gateway::Gateway(const Config& config)
    : config_(config),
      store_(databasePath(config), config.keyDir),
      journal_(store_),
      cache_(store_),
      queue_(store_),
      inbound_(store_),
      batches_(store_, queue_),
      clients_(store_),
      deadLetters_(store_),
      settings_(store_),
      consents_(store_),
      visits_(store_),
      transport_(config.upstream, &linkHealth_),
      terminalRequests_(store_),
      outbox_(queue_, config.institutionCode),
      central_(makeCentralClient(withTerminalPassword(config, settings_, store_.key()), transport_, terminalRequests_,
                                 &linkHealth_)),
      breaker_(config.breakerFailures, config.breakerCoolDownMillis),
      dispatcher_(queue_, outbox_, *central_, breaker_, config.backoff, upstreamConcurrency(config)),
      referenceNumbers_(store_, queue_),
      referenceNumberService_({config.institutionCode, std::chrono::milliseconds(config.liveWaitMillis)},
                              referenceNumbers_, outbox_, dispatcher_),
      eligibility_({config.institutionCode, config.freshSeconds, std::chrono::milliseconds(config.liveWaitMillis)},
                   store_.key(), cache_, outbox_, dispatcher_, breaker_),
      batchService_({config.institutionCode, config.batchChunkSize, config.batchMaxEntries, 2}, batches_, outbox_,
                    dispatcher_, *central_, breaker_),
      homeReception_(settings_, central_.get(), config.facilityName, config.institutionCode),
      homeConsent_({config.institutionCode, config.homeConsentLookbackDays, config.homeConsentPollSeconds, 60,
                    config.medicalInfoRetentionDays},
                   store_.key(), consents_, settings_, *central_),
      medicalAid_(*central_),
      visitService_({config.visitsPrefetchAt, config.visitsMorningAt, config.fileDrop.root + "/res", 1000}, store_.key(),
                    visits_, homeConsent_, batchService_, eligibility_),
      retention_(store_, cache_, config.retention),
      housekeeping_(retention_, [this](int64_t cutoff) { eligibility_.forgetConfirmedBefore(cutoff); }, config.folderRetention,
                    {config.fileDrop.root, config.pluginShareRoot}),
      audit_(store_),
      cardChecks_({std::chrono::milliseconds(config.cardDeadlineMillis), std::chrono::seconds(config.cardCheckLifetimeSeconds)},
                  readerMonitor_, cards_, *central_, eligibility_, audit_, journal_),
      users_(store_, config.signInLockout),
      sessions_(store_),
      staffSessions_(store_, kStaffShiftSeconds, kStaffShiftSeconds),
      signInThrottle_(config.signInThrottle),
      setupCode_(store_),
      pair_(config.pair) {
    // A qualification just given carries the outpatient's consent for medical information.
    eligibility_.onLiveAnswer([this](const model::EligibilityResult& r) { homeConsent_.noteQualification(r); });
    // Adapters: the native spec-XML one always, Lua plugins when configured; one channel serves both.
    // Settings changed in the web admin (sealed in the store) count over the configuration file's.
    // Every plugin folder's, not only those in the order: one enabled later in the web admin runs with its own.
    plugins::PluginsConfig pluginConfig = config.plugins;
    std::error_code noFolder;
    for (const auto& entry : std::filesystem::directory_iterator(pluginConfig.root, noFolder)) {
        std::string id = entry.path().filename().string();
        std::string stored = admin::storedPluginSettings(settings_, store_.key(), id);
        if (!stored.empty()) pluginConfig.settings[id] = stored;
    }
    plugins_ = std::make_unique<plugins::PluginRegistry>(pluginConfig);
    plugins_->addBuiltIn(std::make_shared<plugins::SpecXmlAdapter>(), plugins::SpecXmlAdapter::manifest());
    if (config.pluginsEnabled) plugins_->loadAll();
    pluginChannel_ = std::make_unique<endpoint::PluginChannel>(config.pluginShareRoot, config.fileDrop.pollMillis,
                                                               config.fileDrop.settleMillis, *plugins_, inbound_,
                                                               deadLetters_, journal_, eligibility_, metrics_);
    staffAccess_.reset(new endpoint::StaffAccess{users_, staffSessions_, signInThrottle_, audit_, kStaffShiftSeconds});
    endpoint::HttpApiParts parts{eligibility_, batchService_, journal_, metrics_, [this] { return ready_.load(); },
                                 KAKEHASHI_VERSION, pluginChannel_.get(), &homeReception_,
                                 &homeConsent_, &visitService_, &referenceNumberService_,
                                 config.cardReadersEnabled ? &cardChecks_ : nullptr, staffAccess_.get()};
    auto lan = lanTls(config);
    lanCertFile_ = lan.certFile;
    http_ = endpoint::apiListener(lan, endpoint::buildApiRoutes(parts), clients_, journal_, metrics_,
                                  config.webAdminRoot, staffAccess_.get());
    if (config.fileDropEnabled) {
        homeConsentFiles_ = std::make_unique<endpoint::HomeConsentFiles>(homeConsent_, config.institutionCode);
        medicalAidFiles_ = std::make_unique<endpoint::MedicalAidFiles>(medicalAid_, config.institutionCode);
        fileDrop_ = std::make_unique<endpoint::FileDrop>(config.fileDrop, inbound_, journal_, eligibility_, batchService_, metrics_,
                                                          &referenceNumberService_, homeConsentFiles_.get(), medicalAidFiles_.get());
        faceFiles_ = std::make_unique<endpoint::FaceFiles>(
            endpoint::FaceSettings{config.fileDrop.root, config.faceConsumers, spec::Encoding::Utf8, config.institutionCode});
        cardChecks_.onVerified([this](const model::EligibilityResult& r) { faceFiles_->publishQualification(r); });
        if (config.fileDrop.faceExportBatches)
            batchService_.onAnswered([this](const model::EligibilityResult& r) {
                // Only a qualification found: a face file always holds the person's record.
                if (r.processingStatus == "1" && !r.records.empty()) faceFiles_->publishQualification(r, "2");
            });
    }
    // The terminal's own face files (profile terminal): to this box's face/ consumers and into the cache.
    central_->onFaceFile([this](const std::string& name, const std::string& bytes) { relayFaceFile(name, bytes); });
    addMetrics();
    if (config.adminEnabled) buildAdmin();
}

// The web admin on its own HTTPS listener, with the box's self-signed certificate unless one is set.
void Gateway::buildAdmin() {
    http::ServerSettings tls = config_.admin;
    if (tls.certFile.empty() || tls.keyFile.empty()) {
        auto made = admin::ensureSelfSignedCertificate(config_.stateDir, "admin-tls", {config_.pair.name, {config_.pair.address}});
        tls.certFile = made.certFile;
        tls.keyFile = made.keyFile;
    }
    admin::DashboardFacts facts;
    facts.upstreamProfile = central_->profile();
    facts.link = [this] { return linkHealth_.report(); };
    facts.queueDepth = [this] { return int64_t(queue_.pendingCount()); };
    facts.cacheHits = [this] { return int64_t(eligibility_.counters().cacheHits.load()); };
    facts.liveAnswers = [this] { return int64_t(eligibility_.counters().liveAnswers.load()); };
    facts.staleAnswers = [this] { return int64_t(eligibility_.counters().staleAnswers.load()); };
    facts.requestsSince = [this](int64_t since) { return journal_.countSince(since, false); };
    facts.errorsSince = [this](int64_t since) { return journal_.countSince(since, true); };
    facts.visitsFlagged = [this] {
        int64_t flagged = 0;
        int64_t today = model::JapanDate::today().dayNumber();
        for (int64_t d = today; d < today + 7; ++d)
            for (const auto& v : visitService_.onDate(model::JapanDate::fromDayNumber(d).str())) flagged += v.consent != "in-window";
        return flagged;
    };
    facts.setupPending = [this] {
        Config now = config_;
        auto tls = transport_.settings();  // certificates installed from the web admin count at once
        now.upstream.certFile = tls.certFile;
        now.upstream.keyFile = tls.keyFile;
        now.upstream.caFile = tls.caFile;
        return setupPending(now);
    };
    facts.cardServiceUp = [this] { return readerMonitor_.snapshot().serviceUp; };
    facts.cardReaders = [this] { return int64_t(readerMonitor_.snapshot().readers.size()); };
    adminCertFile_ = tls.certFile;
    facts.certificates = [this] { return certificatesInUse(); };
    admin::AdminParts parts{{users_, sessions_, setupCode_, audit_, signInThrottle_}, settings_, runningSettings(config_), facts,
                            &homeReception_, plugins_.get(), pluginChannel_.get(),
                            config_.cardReadersEnabled ? &cardChecks_ : nullptr, nullptr, &store_.key(), {}, {}};
    pendingChanges_ = std::make_unique<admin::PendingChanges>(audit_, std::chrono::seconds(config_.adminConfirmSeconds));
    parts.pendingChanges = pendingChanges_.get();
    // The settings that apply at once and need more than the store: the plugins' order, bound now.
    auto applyNow = [this](const std::string& key, const std::string& value) {
        if (key == "plugins.order") admin::applyPluginOrder(*plugins_, value);
    };
    parts.applyNow = applyNow;
    parts.more = admin::certificateRoutes(
        {audit_, settings_, transport_, linkHealth_, config_.stateDir, config_.institutionCode, *pendingChanges_});
    admin::ChannelFacts channels{config_.fileDropEnabled, config_.fileDrop.root, config_.http.listen,
                                 !config_.http.certFile.empty(), [this] { return plugins_->order(); }};
    for (auto& r : admin::channelRoutes(channels, clients_, audit_)) parts.more.push_back(std::move(r));
    admin::ReceiptSetupFacts sheet;
    sheet.fileDropEnabled = config_.fileDropEnabled;
    sheet.shareName = config_.shareName;
    sheet.shareAccounts = [accounts = config_.shareAccounts] { return accounts; };
    sheet.faceConsumers = config_.faceConsumers;
    sheet.resultEncoding = config_.fileDrop.resultEncoding;
    sheet.httpListen = config_.http.listen;
    sheet.lanCertificateFile = lanTls(config_).certFile;
    sheet.staffPage = config_.cardReadersEnabled;
    for (auto& r : admin::receiptSetupRoutes(sheet)) parts.more.push_back(std::move(r));
    for (auto& r : admin::terminalRoutes({settings_, store_.key(), audit_, config_.terminal})) parts.more.push_back(std::move(r));
    // A restart asked for in the web admin: main's signal loop stops the gateway and exits with 75, and
    // systemd (Restart=on-failure) starts it again.
    auto restart = [] { ::kill(::getpid(), SIGUSR1); };
    for (auto& r : admin::backupRoutes({store_, settings_, audit_, users_, setupCode_, config_.stateDir, config_.keyDir,
                                        restart, applyNow}))
        parts.more.push_back(std::move(r));
    firmware_ = std::make_unique<services::FirmwareUpdates>(config_.firmware);
    for (auto& r : admin::firmwareRoutes(*firmware_, audit_, KAKEHASHI_VERSION)) parts.more.push_back(std::move(r));
    systemSetup_ = std::make_unique<services::SystemSetup>(config_.system);
    for (auto& r : admin::systemRoutes(*systemSetup_, audit_)) parts.more.push_back(std::move(r));
    for (auto& r : admin::pairRoutes(pair_, audit_)) parts.more.push_back(std::move(r));
    admin_ = std::make_unique<admin::AdminServer>(tls, config_.webAdminRoot, admin::buildAdminRoutes(parts), users_, sessions_);
}

// No default credentials: until the first administrator exists, a one-time code printed here opens
// the setup page (it is not patient data, and it is useless once used).
// The box has no shell and often no one at a terminal: the setup code and the admin URL also go to
// <stateDir>/console.issue, which the appliance image shows at its console's login prompt
// (/etc/issue.d/kakehashi.issue links to it; agetty puts the box's address in for \4). ASCII only: the
// Linux console has no Japanese font.
void Gateway::announceSetupCode() {
    auto code = setupCode_.issueIfNoAdministrator(users_);
    const std::string port = config_.admin.listen.substr(config_.admin.listen.rfind(':') + 1);
    std::string issue = "Kakehashi web admin: https://\\4:" + port + "/admin/\n";
    if (code) issue += "Setup code: " + *code + "\n";
    try {
        base::writeFileDurably(config_.stateDir + "/console.issue", issue, 0644);
    } catch (const std::exception& e) {
        log::warn("admin.console_issue_failed", {{"error", e.what()}});
    }
    if (!code) return;
    log::warn("admin.setup_code", {{"code", *code}, {"url", "https://" + config_.admin.listen + "/admin/"}});
    std::fprintf(stderr, "\n  初期設定コード (setup code): %s\n  https://%s/admin/ で入力してください\n\n", code->c_str(),
                 config_.admin.listen.c_str());
}

Gateway::~Gateway() { stop(); }

// The certificates the box uses now: the facility's and the central CA as installed (the web admin may have
// replaced them since the start), the LAN API's and the web admin's.
std::vector<admin::CertificateFact> Gateway::certificatesInUse() {
    auto upstream = transport_.settings();
    std::vector<admin::CertificateFact> out{{"upstream-client", upstream.certFile},
                                            {"central-ca", upstream.caFile},
                                            {"lan-api", lanCertFile_}};
    if (!adminCertFile_.empty()) out.push_back({"admin", adminCertFile_});
    return out;
}

void Gateway::addMetrics() {
    metrics_.addProbe("kakehashi_outbound_queue_depth", "Requests waiting for the central system.", "gauge",
                      [this] { return double(queue_.pendingCount()); });
    metrics_.addProbe("kakehashi_batches_open", "Batches still being processed.", "gauge",
                      [this] { return double(batches_.openCount()); });
    metrics_.addProbe("kakehashi_reference_numbers_pending", "Reference-number registrations awaiting the central system.",
                      "gauge", [this] { return double(referenceNumbers_.count("pending")); });
    metrics_.addProbe("kakehashi_upstream_link_up", "1 while the central system (or the terminal) answers.", "gauge",
                      [this] { return linkHealth_.report().state == upstream::LinkReport::State::Up ? 1.0 : 0.0; });
    metrics_.addProbe("kakehashi_upstream_last_success_seconds", "When something last came back over the link (unix time; 0: never).",
                      "gauge", [this] { return double(linkHealth_.report().lastSuccessAt); });
    metrics_.addProbe("kakehashi_upstream_attempts_failed_total", "Failed attempts to reach the central system.", "counter",
                      [this] { return double(dispatcher_.stats().failedAttempts.load()); });
    metrics_.addProbe("kakehashi_upstream_in_flight", "Queued calls under way upstream now.", "gauge",
                      [this] { return double(dispatcher_.stats().inFlight.load()); });
    metrics_.addProbe("kakehashi_upstream_in_flight_max", "The most queued calls under way upstream at once.", "gauge",
                      [this] { return double(dispatcher_.stats().maxInFlight.load()); });
    metrics_.addProbe("kakehashi_card_service_up", "1 while pcscd answers (card readers).", "gauge",
                      [this] { return readerMonitor_.snapshot().serviceUp ? 1.0 : 0.0; });
    metrics_.addProbe("kakehashi_card_readers", "Card readers attached.", "gauge",
                      [this] { return double(readerMonitor_.snapshot().readers.size()); });
    const auto& c = eligibility_.counters();
    metrics_.addProbe("kakehashi_eligibility_cache_hits_total", "Inquiries answered from a fresh cache entry.", "counter",
                      [&c] { return double(c.cacheHits.load()); });
    metrics_.addProbe("kakehashi_eligibility_live_total", "Inquiries answered live by the central system.", "counter",
                      [&c] { return double(c.liveAnswers.load()); });
    metrics_.addProbe("kakehashi_eligibility_stale_total", "Inquiries answered from the cache while the link was down.",
                      "counter", [&c] { return double(c.staleAnswers.load()); });
    admin::addFleetMetrics(metrics_, {KAKEHASHI_VERSION, config_.firmware.releaseFile, [this] { return certificatesInUse(); },
                                      &pair_, [] { return model::unixSeconds(std::chrono::system_clock::now()); }});
}

void Gateway::start() {
    // First, while nothing of this process writes to the share: what a kill left half-written goes now.
    housekeeping_.removeLeftoverTemporaries();
    central_->start();
    dispatcher_.start();
    referenceNumberService_.start();
    batchService_.start();
    if (fileDrop_) fileDrop_->start();
    if (pluginChannel_) pluginChannel_->start();
    homeConsent_.start();
    visitService_.start();
    housekeeping_.start();
    if (config_.cardReadersEnabled) {
        readerMonitor_.start();
        readerMonitor_.waitUntilKnown(std::chrono::milliseconds(2000));
        cardChecks_.start();
    }
    http_->start();
    if (admin_) {
        announceSetupCode();
        pendingChanges_->start();
        admin_->start();
    }
    auditKeeper_.start(std::chrono::minutes(1), [this] { keepAuditLog(); });
    linkHealth_.onProbeWanted([this] { linkProber_.poke(); });
    linkProber_.start(std::chrono::seconds(std::max(1, config_.linkProbeSeconds / 4)), [this] { probeLink(); });
    ready_ = true;
    fetchHomeReceptionUrl();
    log::info("gateway.ready", {{"http", config_.http.listen}, {"files", fileDrop_ ? config_.fileDrop.root : "off"}});
}

// A real exchange says more than a probe: the probe runs only when the link has been quiet for
// upstream.probeSeconds, when nothing is known yet, or at once after the certificates changed.
void Gateway::probeLink() {
    auto report = linkHealth_.report();
    if (report.state != upstream::LinkReport::State::Unknown && linkHealth_.quietSeconds() < config_.linkProbeSeconds) return;
    try {
        central_->probe();  // reports to linkHealth_ itself
    } catch (const std::exception& e) {
        log::error("upstream.probe_failed", {{"error", e.what()}});
    }
}

// The first start learns the institution's マイナ在宅受付Web URL from the central system; a failure is
// logged and the URL can be fetched later (POST …/url/refresh) or set by hand.
void Gateway::fetchHomeReceptionUrl() {
    if (homeReception_.url() || !central_->supports(upstream::Capability::HomeReceptionUrl)) return;
    urlFetcher_ = std::thread([this] {
        try {
            homeReception_.refreshFromCentral();
        } catch (const std::exception& e) {
            log::warn("home_reception.url_not_fetched", {{"error", e.what()}});
        }
    });
}

// A face-reader result from the terminal: fanned out unchanged to this box's face/ consumers (receipt
// computers moved over from the terminal keep getting them), and its qualification kept in the cache like a
// live answer, so the patient's check at reception is answered at once.
void Gateway::relayFaceFile(const std::string& name, const std::string& bytes) {
    if (!endpoint::isFaceFileName(name)) {
        log::warn("face.ignored", {{"reason", "not a face file name"}});
        return;
    }
    if (faceFiles_) faceFiles_->publish(name, bytes);
    try {
        auto face = spec::decodeSingleInquiryResponse(spec::parseXml(bytes).root);
        const model::EligibilityRecord* record = face.result ? face.result->primary() : nullptr;
        if (face.header.segmentOfResult != "1" || !record) return;
        model::EligibilityInquiry q;
        q.insured = {model::trimmed(record->insurerNumber), record->cardSymbol, record->cardNumber, record->branchNumber,
                     record->birthDate};
        eligibility_.remember(q, *face.result, store::nowSeconds());
    } catch (const model::KakehashiError& e) {
        log::warn("face.unreadable", {{"file", name}, {"error", e.info().name}});
    }
}

// A checkpoint once rows have waited an hour for one, and the rows past their retention removed.
void Gateway::keepAuditLog() {
    try {
        int64_t now = store::nowSeconds();
        audit_.checkpointIfDue(now);
        audit_.pruneExpired(now, config_.auditRetentionDays);
    } catch (const std::exception& e) {
        log::error("audit.upkeep_failed", {{"error", e.what()}});
    }
}

void Gateway::reloadPlugins() {
    if (!plugins_) return;
    for (const auto& p : plugins_->status()) {
        std::string problem = plugins_->reload(p.id);
        log::info("plugin.reloaded", {{"plugin", p.id}, {"ok", problem.empty() ? "yes" : "no"}});
    }
}

void Gateway::stop() {
    if (!ready_.exchange(false)) return;
    log::info("gateway.stopping");
    // A plugin call in flight would otherwise hold an HTTP thread or the plugin channel until its deadline.
    if (plugins_) plugins_->stopCalls();
    // Long polls (readers, card checks) wait on these two: wake them first, so the servers stop at once.
    cardChecks_.stop();
    readerMonitor_.stop();
    http_->stop();
    if (admin_) admin_->stop();
    if (pendingChanges_) pendingChanges_->stop();  // what is not confirmed goes back
    if (fileDrop_) fileDrop_->stop();
    if (pluginChannel_) pluginChannel_->stop();
    // Calls still waiting for the terminal come back now (unreachable: sent again after the restart under
    // the same names), so the services below stop at once.
    central_->stop();
    housekeeping_.stop();
    visitService_.stop();
    homeConsent_.stop();
    batchService_.stop();
    referenceNumberService_.stop();
    dispatcher_.stop();
    if (urlFetcher_.joinable()) urlFetcher_.join();
    auditKeeper_.stop();
    linkProber_.stop();
    try {
        audit_.checkpoint();  // everything is stopped: this one covers every row of the run
    } catch (const std::exception& e) {
        log::error("audit.checkpoint_failed", {{"error", e.what()}});
    }
    log::info("gateway.stopped");
}

}  // namespace kh::app
