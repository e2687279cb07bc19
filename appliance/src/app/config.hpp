// The boot configuration (/etc/kakehashi/kakehashi.json): what the box needs to start. Settings that IT
// staff change at run time live in the store.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "endpoint/file_drop.hpp"
#include "http/server.hpp"
#include "plugins/registry.hpp"
#include "services/batch_service.hpp"
#include "services/eligibility_service.hpp"
#include "admin/pair_status.hpp"
#include "services/firmware_updates.hpp"
#include "services/housekeeping.hpp"
#include "services/system_setup.hpp"
#include "store/retention.hpp"
#include "store/sign_in_failures.hpp"
#include "store/sign_in_throttle.hpp"
#include "upstream/https_transport.hpp"
#include "upstream/retry_policy.hpp"
#include "upstream/terminal_settings.hpp"

namespace kh::app {

struct Config {
    std::string institutionCode;
    std::string facilityName;          // 医療機関名, shown on the home-reception poster
    std::string stateDir = "/var/lib/kakehashi";
    std::string keyDir = "/etc/kakehashi/keys";
    std::string logLevel = "info";
    http::ServerSettings http;  // the LAN API and the staff page
    bool fileDropEnabled = true;
    endpoint::FileDropSettings fileDrop;
    std::vector<std::string> faceConsumers;  // face/<name>/ for each program that picks up face files
    // How receipt computers reach the file channel over SMB (the image's smb.conf): the share's name and
    // its accounts, for the web admin's レセコンの接続設定 page.
    std::string shareName = "kakehashi";
    std::vector<std::string> shareAccounts{"recept"};
    std::string upstreamProfile = "central-v1";  // upstream.profile: central-v1 | terminal
    upstream::TlsSettings upstream;              // central-v1
    upstream::TerminalSettings terminal;         // terminal: the 資格確認端末's share (upstream.terminal)
    upstream::BackoffSettings backoff;
    int breakerFailures = 5;
    int64_t breakerCoolDownMillis = 10000;
    int64_t freshSeconds = -1;
    int liveWaitMillis = 15000;
    int linkProbeSeconds = 60;  // upstream.probeSeconds: a light probe after this long without an exchange
    size_t batchChunkSize = 1000;
    size_t batchMaxEntries = 10000;
    bool pluginsEnabled = false;       // a "plugins" section is present
    plugins::PluginsConfig plugins;    // root, order, trusted keys, settings, limits
    std::string pluginShareRoot;       // vendor folders live here (default: the file channel's root)
    int homeConsentPollSeconds = 300;  // consent lists and withdrawals
    int homeConsentLookbackDays = 30;
    int medicalInfoRetentionDays = 7;
    int auditRetentionDays = 1826;     // the audit log is the legal record: 5 years; 0 keeps it for ever
    std::string visitsPrefetchAt = "18:00";  // HH:MM Japan time: tomorrow's visits are checked
    std::string visitsMorningAt = "07:00";   // HH:MM Japan time: today's answers are refreshed
    bool cardReadersEnabled = true;          // watch pcscd's readers for card checks on home visits
    int cardDeadlineMillis = 15000;          // watchdog on each card operation
    int cardCheckLifetimeSeconds = 600;      // an unfinished card check is cancelled after this
    std::string webAdminRoot = "/usr/share/kakehashi/web-admin";  // the staff and admin pages
    bool adminEnabled = false;               // an "admin" section is present
    http::ServerSettings admin;              // HTTPS always: without certFile/keyFile a self-signed one is made
    int adminConfirmSeconds = 90;            // a network-affecting change rolls back unless confirmed by then
    store::ThrottlePolicy signInThrottle;    // admin.signIn: failed tries per address (burst, refillSeconds)
    store::LockoutPolicy signInLockout;      // admin.signIn: per account and address (lockFailures, lockSeconds)
    services::FirmwareSettings firmware;     // the appliance image: bundles uploaded in the web admin
    services::SystemSetupSettings system;    // the appliance image: SMB accounts, LAN, NTP, firewall, reboot
    admin::PairSettings pair;                // the HA image: the cluster helper's status and request folders
    store::RetentionPolicy retention;         // how long the store keeps patient data and records
    services::FolderRetention folderRetention;  // how long the share keeps results and rejected requests
};

// Throws std::runtime_error with a message naming the setting at fault.
Config loadConfig(const std::string& path);
// What IT staff changed in the web admin (kept in the store) over what the file says. Opens the store
// at c.stateDir briefly; does nothing when there is no store yet.
void applyStoredSettings(Config& c);
// The values of those settings in effect (the web admin shows which changes wait for a restart).
std::map<std::string, std::string> runningSettings(const Config& c);
// Problems that stop the box from working, in Japanese and English; empty when the config is usable.
std::vector<std::string> checkConfig(const Config& c);
// What the box still needs before it can reach the central system (institution code, upstream URL,
// certificates). Fatal without the web admin; with it, the box starts and its setup supplies them.
std::vector<std::string> setupPending(const Config& c);

}  // namespace kh::app
