#include "app/config.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <sys/stat.h>

#include <sstream>
#include <stdexcept>

#include "base/files.hpp"
#include "base/log.hpp"
#include "model/codes.hpp"

namespace kh::app {
namespace {
using Poco::JSON::Object;

template <typename T>
T value(const Object::Ptr& o, const char* key, T fallback) {
    if (!o || !o->has(key) || o->isNull(key)) return fallback;
    try {
        return o->getValue<T>(key);
    } catch (const Poco::Exception&) {
        throw std::runtime_error(std::string("setting '") + key + "' has the wrong type");
    }
}

// A missing parent has no sections either ("upstream" left out: its "terminal" too).
Object::Ptr section(const Object::Ptr& o, const char* key) {
    return o && o->has(key) && o->isObject(key) ? o->getObject(key) : Object::Ptr();
}

std::vector<std::string> strings(const Object::Ptr& o, const char* key) {
    std::vector<std::string> out;
    if (!o || !o->has(key)) return out;
    auto a = o->getArray(key);
    if (!a) throw std::runtime_error(std::string("setting '") + key + "' must be a list of strings");
    for (size_t i = 0; i < a->size(); ++i) out.push_back(a->getElement<std::string>(unsigned(i)));
    return out;
}

// "plugins": {"root", "order": [ids], "trustedKeys": [pem files], "developmentMode", "shareRoot",
//             "settings": {id: {...}}, "limits": {"memoryBytes", "instructions", "deadlineMillis"}}
void loadPlugins(const Object::Ptr& root, Config& c) {
    auto p = section(root, "plugins");
    if (!p) return;
    c.pluginsEnabled = true;
    c.plugins.root = value<std::string>(p, "root", "/usr/share/kakehashi/plugins");
    c.plugins.order = strings(p, "order");
    c.plugins.trustedKeys = strings(p, "trustedKeys");
    c.plugins.developmentMode = value<bool>(p, "developmentMode", false);
    c.pluginShareRoot = value<std::string>(p, "shareRoot", c.fileDrop.root);
    if (auto settings = section(p, "settings")) {
        for (const auto& [id, v] : *settings) {
            std::ostringstream ss;
            Poco::JSON::Stringifier::stringify(v, ss);
            c.plugins.settings[id] = ss.str();
        }
    }
    auto limits = section(p, "limits");
    c.plugins.limits.memoryBytes = size_t(value<int>(limits, "memoryBytes", int(c.plugins.limits.memoryBytes)));
    c.plugins.limits.instructions = uint64_t(value<int>(limits, "instructions", int(c.plugins.limits.instructions)));
    c.plugins.limits.deadline =
        std::chrono::milliseconds(value<int>(limits, "deadlineMillis", int(c.plugins.limits.deadline.count())));
}

// A listener's threads and limits ("http", "admin"): defaults for a clinic LAN, see http/server.hpp.
void loadListenerLimits(const Object::Ptr& o, http::ServerSettings& s) {
    s.workerThreads = value<int>(o, "threads", s.workerThreads);
    s.networkThreads = value<int>(o, "networkThreads", s.networkThreads);
    auto& l = s.limits;
    l.headerTimeout = std::chrono::seconds(value<int>(o, "headerTimeoutSeconds", int(l.headerTimeout.count())));
    l.idleTimeout = std::chrono::seconds(value<int>(o, "idleTimeoutSeconds", int(l.idleTimeout.count())));
    l.bodyTimeout = std::chrono::seconds(value<int>(o, "bodyTimeoutSeconds", int(l.bodyTimeout.count())));
    l.maxConnections = size_t(value<int>(o, "maxConnections", int(l.maxConnections)));
    l.maxConnectionsPerAddress = size_t(value<int>(o, "maxConnectionsPerAddress", int(l.maxConnectionsPerAddress)));
    auto rate = section(o, "rateLimit");
    s.rate.perSecond = value<double>(rate, "perSecond", s.rate.perSecond);
    s.rate.burst = value<double>(rate, "burst", s.rate.burst);
}
constexpr int kMinAuditRetentionDays = 1826;  // five years, one leap day among them
// A count or a number of seconds that must be 1 or more; `name` is the setting's full name for the message.
int positive(const Object::Ptr& o, const char* key, const std::string& name, int fallback) {
    int v = value<int>(o, key, fallback);
    if (v < 1) throw std::runtime_error("setting '" + name + "' must be 1 or more");
    return v;
}

// "admin": {"signIn": {"burst", "refillSeconds", "lockFailures", "lockSeconds"}}
void loadSignIn(const Object::Ptr& admin, Config& c) {
    auto s = section(admin, "signIn");
    c.signInThrottle.burst = positive(s, "burst", "admin.signIn.burst", c.signInThrottle.burst);
    c.signInThrottle.refill = std::chrono::seconds(
        positive(s, "refillSeconds", "admin.signIn.refillSeconds", int(c.signInThrottle.refill.count())));
    c.signInLockout.maxFailures = positive(s, "lockFailures", "admin.signIn.lockFailures", c.signInLockout.maxFailures);
    c.signInLockout.lock = std::chrono::seconds(
        positive(s, "lockSeconds", "admin.signIn.lockSeconds", int(c.signInLockout.lock.count())));
}

// "upstream": {"profile": "terminal", "terminal": {"url" | "path", "user", "password", "concurrency",
//              "answerTimeoutSeconds", "pollMillis", "timeoutSeconds"}}
void loadTerminal(const Object::Ptr& t, upstream::TerminalSettings& s) {
    s.url = value<std::string>(t, "url", s.url);
    s.path = value<std::string>(t, "path", s.path);
    s.user = value<std::string>(t, "user", s.user);
    s.password = value<std::string>(t, "password", s.password);
    s.concurrency = value<int>(t, "concurrency", s.concurrency);
    s.answerTimeoutSeconds = value<int>(t, "answerTimeoutSeconds", s.answerTimeoutSeconds);
    s.pollMillis = value<int>(t, "pollMillis", s.pollMillis);
    s.timeoutSeconds = value<int>(t, "timeoutSeconds", s.timeoutSeconds);
}

bool readable(const std::string& path) {
    struct stat st {};
    return !path.empty() && ::stat(path.c_str(), &st) == 0;
}
}  // namespace

Config loadConfig(const std::string& path) {
    auto text = base::tryReadFile(path, 4u * 1024 * 1024);
    if (!text) throw std::runtime_error("cannot read configuration file " + path);
    Object::Ptr root;
    try {
        root = Poco::JSON::Parser().parse(*text).extract<Object::Ptr>();
    } catch (const std::exception&) {
        throw std::runtime_error("configuration file " + path + " is not a JSON object");
    }
    Config c;
    c.institutionCode = value<std::string>(root, "institutionCode", "");
    c.facilityName = value<std::string>(root, "facilityName", "");
    c.stateDir = value<std::string>(root, "stateDir", c.stateDir);
    c.keyDir = value<std::string>(root, "keyDir", c.keyDir);
    c.logLevel = value<std::string>(root, "logLevel", c.logLevel);
    auto http = section(root, "http");
    c.http.listen = value<std::string>(http, "listen", c.http.listen);
    c.http.certFile = value<std::string>(http, "certFile", "");
    c.http.keyFile = value<std::string>(http, "keyFile", "");
    loadListenerLimits(http, c.http);
    auto files = section(root, "fileDrop");
    c.fileDropEnabled = value<bool>(files, "enabled", bool(files));
    c.fileDrop.root = value<std::string>(files, "root", c.stateDir + "/share");
    c.fileDrop.pollMillis = value<int>(files, "pollMillis", c.fileDrop.pollMillis);
    c.fileDrop.settleMillis = value<int>(files, "settleMillis", c.fileDrop.settleMillis);
    c.fileDrop.emptyGraceMillis = value<int>(files, "emptyGraceMillis", c.fileDrop.emptyGraceMillis);
    c.fileDrop.answerFromCacheWhenDown = value<bool>(files, "answerFromCacheWhenDown", c.fileDrop.answerFromCacheWhenDown);
    c.fileDrop.resultEncoding = value<std::string>(files, "resultEncoding", c.fileDrop.resultEncoding);
    c.fileDrop.faceExportBatches = value<bool>(files, "faceExportBatches", c.fileDrop.faceExportBatches);
    c.faceConsumers = strings(files, "faceConsumers");
    c.shareName = value<std::string>(files, "shareName", c.shareName);
    if (files && files->has("shareAccounts")) c.shareAccounts = strings(files, "shareAccounts");
    auto up = section(root, "upstream");
    c.upstreamProfile = value<std::string>(up, "profile", c.upstreamProfile);
    loadTerminal(section(up, "terminal"), c.terminal);
    c.upstream.baseUrl = value<std::string>(up, "baseUrl", "");
    c.upstream.caFile = value<std::string>(up, "caFile", "");
    c.upstream.certFile = value<std::string>(up, "certFile", "");
    c.upstream.keyFile = value<std::string>(up, "keyFile", "");
    c.upstream.timeoutSeconds = value<int>(up, "timeoutSeconds", c.upstream.timeoutSeconds);
    c.backoff.baseMillis = value<int>(up, "backoffBaseMillis", int(c.backoff.baseMillis));
    c.backoff.maxMillis = value<int>(up, "backoffMaxMillis", int(c.backoff.maxMillis));
    c.breakerFailures = value<int>(up, "breakerFailures", c.breakerFailures);
    c.breakerCoolDownMillis = value<int>(up, "breakerCoolDownMillis", int(c.breakerCoolDownMillis));
    c.liveWaitMillis = value<int>(up, "liveWaitMillis", c.liveWaitMillis);
    c.linkProbeSeconds = std::max(1, value<int>(up, "probeSeconds", c.linkProbeSeconds));
    auto cache = section(root, "cache");
    c.freshSeconds = value<int>(cache, "freshSeconds", int(c.freshSeconds));
    auto batch = section(root, "batch");
    c.batchChunkSize = size_t(value<int>(batch, "chunkSize", int(c.batchChunkSize)));
    c.batchMaxEntries = size_t(value<int>(batch, "maxEntries", int(c.batchMaxEntries)));
    c.pluginShareRoot = c.fileDrop.root;
    auto consent = section(root, "homeConsent");
    c.homeConsentPollSeconds = value<int>(consent, "pollSeconds", c.homeConsentPollSeconds);
    c.homeConsentLookbackDays = value<int>(consent, "lookbackDays", c.homeConsentLookbackDays);
    c.medicalInfoRetentionDays = value<int>(consent, "medicalInfoRetentionDays", c.medicalInfoRetentionDays);
    auto retention = section(root, "retention");
    c.auditRetentionDays = value<int>(retention, "auditDays", c.auditRetentionDays);
    auto visits = section(root, "visits");
    c.visitsPrefetchAt = value<std::string>(visits, "prefetchAt", c.visitsPrefetchAt);
    c.visitsMorningAt = value<std::string>(visits, "morningAt", c.visitsMorningAt);
    auto cards = section(root, "cardReaders");
    c.cardReadersEnabled = value<bool>(cards, "enabled", c.cardReadersEnabled);
    c.cardDeadlineMillis = value<int>(cards, "cardDeadlineMillis", c.cardDeadlineMillis);
    c.cardCheckLifetimeSeconds = value<int>(cards, "checkLifetimeSeconds", c.cardCheckLifetimeSeconds);
    c.webAdminRoot = value<std::string>(root, "webAdminRoot", c.webAdminRoot);
    if (root->has("admin")) {
        auto admin = section(root, "admin");
        c.adminEnabled = value<bool>(admin, "enabled", true);
        c.admin.listen = value<std::string>(admin, "listen", "0.0.0.0:8444");
        c.admin.certFile = value<std::string>(admin, "certFile", "");
        c.admin.keyFile = value<std::string>(admin, "keyFile", "");
        c.admin.workerThreads = 8;
        loadListenerLimits(admin, c.admin);
        c.adminConfirmSeconds = value<int>(admin, "confirmSeconds", c.adminConfirmSeconds);
        loadSignIn(admin, c);
    }
    // Only the appliance image sets this: its root updater (kakehashi-update.path) watches the folder.
    auto firmware = section(root, "firmware");
    c.firmware.updateDir = value<std::string>(firmware, "updateDir", "");
    c.firmware.statusDir = value<std::string>(firmware, "statusDir", "");
    c.firmware.maxBundleBytes = uint64_t(value<int64_t>(firmware, "maxBundleBytes", int64_t(c.firmware.maxBundleBytes)));
    c.firmware.releaseFile = value<std::string>(firmware, "releaseFile", c.firmware.releaseFile);
    // Likewise: its root helper (kakehashi-system.path) watches the request folder.
    auto setup = section(root, "system");
    c.system.requestDir = value<std::string>(setup, "requestDir", "");
    c.system.statusDir = value<std::string>(setup, "statusDir", "");
    // Only the HA image sets this: its root helper (kakehashi-pair-status.timer) writes and reads the folders.
    auto pair = section(root, "pair");
    c.pair.statusDir = value<std::string>(pair, "statusDir", "");
    c.pair.requestDir = value<std::string>(pair, "requestDir", "");
    c.pair.name = value<std::string>(pair, "name", "");
    c.pair.address = value<std::string>(pair, "address", "");
    auto keep = section(root, "retention");
    c.retention.patientDataDays = value<int>(keep, "patientDataDays", c.retention.patientDataDays);
    c.retention.cacheDays = value<int>(keep, "cacheDays", c.retention.cacheDays);
    c.retention.recordDays = value<int>(keep, "recordDays", c.retention.recordDays);
    c.folderRetention.resultFileDays = value<int>(keep, "resultFileDays", c.folderRetention.resultFileDays);
    c.folderRetention.quarantineDays = value<int>(keep, "quarantineDays", c.folderRetention.quarantineDays);
    loadPlugins(root, c);
    return c;
}

std::vector<std::string> setupPending(const Config& c) {
    std::vector<std::string> pending;
    if (!model::isValidInstitutionCode(c.institutionCode))
        pending.push_back("institutionCode: 医療機関等コードは10桁で検証番号が正しい必要があります (10 digits with a valid check digit)");
    if (c.upstreamProfile == "terminal") {  // the terminal holds the certificates: only its share is needed here
        if (c.terminal.url.empty() && c.terminal.path.empty())
            pending.push_back("upstream.terminal.url: 資格確認端末の共有フォルダ（smb://ホスト/共有名）を指定してください "
                              "(the terminal's share)");
        return pending;
    }
    if (c.upstream.baseUrl.rfind("https://", 0) != 0)
        pending.push_back("upstream.baseUrl: https:// のURLを指定してください (must be an https URL)");
    for (const auto& [name, path] : {std::pair<const char*, std::string>{"upstream.caFile", c.upstream.caFile},
                                     {"upstream.certFile", c.upstream.certFile},
                                     {"upstream.keyFile", c.upstream.keyFile}})
        if (!readable(path)) pending.push_back(std::string(name) + ": ファイルが読めません (file not readable): " + path);
    return pending;
}

std::vector<std::string> checkConfig(const Config& c) {
    // With the web admin, what its setup supplies may still be missing: the box starts and waits for it.
    std::vector<std::string> problems = c.adminEnabled ? std::vector<std::string>{} : setupPending(c);
    log::Level level;
    if (!log::parseLevel(c.logLevel, level)) problems.push_back("logLevel: debug | info | warn | error");
    if (c.upstreamProfile != "central-v1" && c.upstreamProfile != "terminal")
        problems.push_back("upstream.profile: central-v1 または terminal を指定してください (central-v1 or terminal)");
    // A share not named yet is for setupPending (the web admin's setup may still supply it).
    if (c.upstreamProfile == "terminal" && (!c.terminal.url.empty() || !c.terminal.path.empty()))
        for (auto& p : upstream::terminalSettingsProblems(c.terminal)) problems.push_back(std::move(p));
    if (c.batchChunkSize < 1 || c.batchChunkSize > 10000) problems.push_back("batch.chunkSize: 1..10000");
    if (c.fileDrop.resultEncoding != "request" && c.fileDrop.resultEncoding != "utf-8" && c.fileDrop.resultEncoding != "shift_jis")
        problems.push_back("fileDrop.resultEncoding: request（要求と同じ） | utf-8 | shift_jis");
    if (c.http.workerThreads < 2 || c.http.workerThreads > 1024) problems.push_back("http.threads: 2..1024");
    if (c.http.networkThreads < 1 || c.http.networkThreads > 64) problems.push_back("http.networkThreads: 1..64");
    if (c.http.limits.maxConnectionsPerAddress < 1 || c.http.limits.maxConnections < c.http.limits.maxConnectionsPerAddress)
        problems.push_back("http.maxConnectionsPerAddress: 1..maxConnections");
    // Patient data is never kept longer than the records that say it came and went.
    if (c.retention.patientDataDays < 1 || c.retention.patientDataDays > c.retention.recordDays)
        problems.push_back("retention.patientDataDays: 1..recordDays (1 日以上、recordDays 以下)");
    if (c.retention.cacheDays < 1 || c.retention.cacheDays > 366) problems.push_back("retention.cacheDays: 1..366");
    if (c.retention.recordDays < 1 || c.retention.recordDays > 3660) problems.push_back("retention.recordDays: 1..3660");
    if (c.folderRetention.resultFileDays < 1 || c.folderRetention.quarantineDays < 1)
        problems.push_back("retention.resultFileDays / quarantineDays: 1 日以上 (at least 1)");
    if (c.auditRetentionDays != 0 && c.auditRetentionDays < kMinAuditRetentionDays)
        problems.push_back("retention.auditDays: 監査ログは法定の記録のため5年（1826日）以上、または 0（無期限）を指定してください "
                           "(the audit log is the legal record: at least 1826 days, or 0 to keep it for ever)");
    for (const auto& [name, dir] : {std::pair<const char*, std::string>{"firmware.updateDir", c.firmware.updateDir},
                                    {"firmware.statusDir", c.firmware.statusDir}})
        if (!c.firmware.updateDir.empty() && (dir.empty() || dir.front() != '/'))
            problems.push_back(std::string(name) + ": 絶対パスで指定してください (an absolute path; updateDir and statusDir together)");
    for (const auto& [name, dir] : {std::pair<const char*, std::string>{"system.requestDir", c.system.requestDir},
                                    {"system.statusDir", c.system.statusDir}})
        if (!c.system.requestDir.empty() && (dir.empty() || dir.front() != '/'))
            problems.push_back(std::string(name) + ": 絶対パスで指定してください (an absolute path; requestDir and statusDir together)");
    if (!c.pair.statusDir.empty() && (c.pair.statusDir.front() != '/' || c.pair.requestDir.empty() || c.pair.requestDir.front() != '/'))
        problems.push_back("pair.statusDir / pair.requestDir: 絶対パスで指定してください (absolute paths, both)");
    if (c.firmware.maxBundleBytes < (1u << 20) || c.firmware.maxBundleBytes > (16ull << 30))
        problems.push_back("firmware.maxBundleBytes: 1 MiB..16 GiB");
    if (c.http.certFile.empty() != c.http.keyFile.empty())
        problems.push_back("http.certFile / http.keyFile: HTTPS には両方が必要です (both are needed for HTTPS)");
    // With the web admin, a LAN certificate not there yet is replaced by a self-signed one (the box starts).
    if (!c.adminEnabled)
        for (const auto& [name, path] : {std::pair<const char*, std::string>{"http.certFile", c.http.certFile},
                                         {"http.keyFile", c.http.keyFile}})
            if (!path.empty() && !readable(path)) problems.push_back(std::string(name) + ": ファイルが読めません (file not readable): " + path);
    return problems;
}

}  // namespace kh::app
