#include "admin/backup_routes.hpp"

#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include "admin/settings_routes.hpp"
#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "crypto/encoding.hpp"
#include "crypto/passphrase_box.hpp"
#include "crypto/primitives.hpp"
#include "endpoint/json_request.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"
#include "store/backup.hpp"

namespace kh::admin {
namespace {
constexpr size_t kArchiveBodyLimit = 64u * 1024 * 1024;  // an archive (cache included), base64
using endpoint::HttpReply;
using endpoint::jsonReply;
using base::JsonWriter;
using model::ErrorId;
using model::KakehashiError;

constexpr size_t kMinPassphrase = 12, kMaxPassphraseBytes = 1024;
constexpr const char* kConfigFormat = "kakehashi-config-1";
constexpr const char* kHomeReceptionUrl = "homeReception.url";
constexpr const char* kCannotOpen =
    "バックアップを開けません。パスフレーズとファイルを確かめてください";

struct Shared {
    explicit Shared(BackupParts p) : parts(std::move(p)) {}
    BackupParts parts;
    std::atomic<bool> restarting{false};
};

// Bytes that hold the data key or a passphrase: zeroed however the handler is left.
struct Secret {
    std::string bytes;
    ~Secret() { crypto::secureZero(bytes); }
};


size_t characters(const std::string& utf8) {
    size_t n = 0;
    for (char c : utf8) n += (c & 0xC0) != 0x80;
    return n;
}

std::string newPassphrase(const Poco::JSON::Object::Ptr& o) {
    std::string p = endpoint::stringMember(o, "passphrase");
    if (characters(p) < kMinPassphrase)
        throw KakehashiError(ErrorId::InvalidField, "passphrase: パスフレーズは12文字以上で入力してください");
    if (p.size() > kMaxPassphraseBytes)
        throw KakehashiError(ErrorId::InvalidField, "passphrase: パスフレーズが長すぎます（at most 1024 bytes）");
    return p;
}

bool boolMember(const Poco::JSON::Object::Ptr& o, const char* key) {
    if (!o->has(key) || o->isNull(key)) return false;
    if (!o->get(key).isBoolean()) throw KakehashiError(ErrorId::InvalidField, std::string(key) + ": true か false を指定してください");
    return o->getValue<bool>(key);
}

std::string countsText(const store::BackupSummary& s) {
    return "users=" + std::to_string(s.users) + " settings=" + std::to_string(s.settings) +
           " apiClients=" + std::to_string(s.apiClients) + " cacheEntries=" + std::to_string(s.cacheEntries);
}

// "kakehashi-backup-YYYYMMDD-HHMMSS.khbk", Japan time.
std::string backupFileName() {
    std::string t = model::japanTimestamp();
    return "kakehashi-backup-" + t.substr(0, 8) + "-" + t.substr(8) + ".khbk";
}

HttpReply backup(Shared& s, AdminCall& call) {
    auto o = endpoint::jsonObject(call.http.body);
    Secret passphrase{newPassphrase(o)};
    bool includeCache = boolMember(o, "includeCache");
    s.parts.audit.checkpoint();  // so the checkpoint the archive carries covers every row so far
    auto collected = store::collectBackup(s.parts.store, s.parts.keyDir, s.parts.stateDir, includeCache);
    Secret archive{std::move(collected.archive)};
    std::string sealed = crypto::sealWithPassphrase(passphrase.bytes, archive.bytes);
    s.parts.audit.append(call.actor(), "admin.backup-made", "backup", countsText(collected.summary));
    log::info("backup.made", {{"bytes", std::to_string(sealed.size())}, {"cache", includeCache ? "yes" : "no"}});
    return {200, "application/octet-stream", std::move(sealed),
            {{"Content-Disposition", "attachment; filename=\"" + backupFileName() + "\""}}};
}

// The archive inside {"backup": base64, "passphrase"}; audited as `refused` and InvalidField when it does not open.
std::string openedArchive(Shared& s, AdminCall& call, const Poco::JSON::Object::Ptr& o, const char* refused) {
    std::string text = endpoint::stringMember(o, "backup");
    text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }),
               text.end());
    Secret passphrase{endpoint::stringMember(o, "passphrase")};
    auto sealed = crypto::base64Decode(text);
    std::optional<std::string> archive;
    if (sealed && passphrase.bytes.size() <= kMaxPassphraseBytes) archive = crypto::openWithPassphrase(passphrase.bytes, *sealed);
    if (!archive) {
        s.parts.audit.append(call.actor(), refused, "backup", "does not open");
        throw KakehashiError(ErrorId::InvalidField, kCannotOpen);
    }
    return std::move(*archive);
}

// The restore's checks, audited as `refused` when the archive is not one this version restores.
template <class F>
store::BackupSummary checked(Shared& s, AdminCall& call, const char* refused, F&& f) {
    try {
        return f();
    } catch (const KakehashiError&) {
        s.parts.audit.append(call.actor(), refused, "backup", "not a backup this version restores");
        throw;
    }
}

// After the reply is on its way: the gateway stops, and systemd starts it again.
void restartSoon(const std::shared_ptr<Shared>& s) {
    if (!s->parts.restart) {
        log::warn("admin.restart_unavailable");
        return;
    }
    if (s->restarting.exchange(true)) return;
    std::thread([restart = s->parts.restart] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        try {
            restart();
        } catch (const std::exception& e) {
            log::error("admin.restart_failed", {{"error", e.what()}});
        }
    }).detach();
}

HttpReply stagedReply(const store::BackupSummary& summary, bool restarting) {
    return jsonReply(200, JsonWriter()
                         .beginObject()
                         .field("staged", true)
                         .field("restartRequired", true)
                         .field("restarting", restarting)
                         .field("createdAt", summary.createdAt)
                         .field("replacesDataKey", summary.replacesDataKey)
                         .object("contents")
                         .field("users", summary.users)
                         .field("settings", summary.settings)
                         .field("apiClients", summary.apiClients)
                         .field("cacheEntries", summary.cacheEntries)
                         .endObject()
                         .endObject()
                         .take());
}

HttpReply restore(Shared& s, AdminCall& call) {
    auto o = endpoint::jsonObject(call.http.body);
    const char* refused = "admin.backup-restore-refused";
    Secret archive{openedArchive(s, call, o, refused)};
    auto summary = checked(s, call, refused, [&] { return store::stageRestore(archive.bytes, s.parts.stateDir, s.parts.keyDir); });
    s.parts.audit.append(call.actor(), "admin.backup-restore-staged", "backup", countsText(summary));
    return stagedReply(summary, false);
}

// On a fresh box: the backup must open before the setup code is spent, so a wrong passphrase costs nothing.
// Nobody can sign in to ask for the restart, so the box restarts by itself.
HttpReply setupRestore(const std::shared_ptr<Shared>& s, AdminCall& call) {
    if (s->parts.users.count() > 0) throw KakehashiError(ErrorId::SetupDone, "");
    auto o = endpoint::jsonObject(call.http.body);
    const char* refused = "admin.backup-setup-restore-refused";
    Secret archive{openedArchive(*s, call, o, refused)};
    checked(*s, call, refused, [&] { return store::checkBackup(archive.bytes, s->parts.keyDir); });
    if (!s->parts.setupCode.consume(endpoint::stringMember(o, "setupCode"))) {
        s->parts.audit.append(call.actor(), refused, "setup", "wrong setup code");
        throw KakehashiError(ErrorId::SetupCodeWrong, "");
    }
    auto summary = store::stageRestore(archive.bytes, s->parts.stateDir, s->parts.keyDir);
    s->parts.audit.append(call.actor(), "admin.backup-setup-restore-staged", "backup", countsText(summary));
    restartSoon(s);
    return stagedReply(summary, true);
}

HttpReply restartNow(const std::shared_ptr<Shared>& s, AdminCall& call) {
    s->parts.audit.append(call.actor(), "admin.restart", "gateway", "");
    restartSoon(s);
    return jsonReply(202, JsonWriter().beginObject().field("restarting", true).endObject().take());
}

// --- configuration export / import ---------------------------------------------------------------------

std::string homeReceptionUrlProblem(const std::string& v) {
    bool ok = v.size() <= 500 && v.find_first_of(" \t\r\n\"'<>") == std::string::npos;
    try {
        Poco::URI uri(v);
        ok = ok && (uri.getScheme() == "https" || uri.getScheme() == "http") && !uri.getHost().empty();
    } catch (const Poco::Exception&) {
        ok = false;
    }
    return ok ? "" : "https:// で始まる正しいURLを入力してください";
}

// The keys a configuration document may carry, in the order they are checked and applied.
std::vector<std::pair<std::string, std::string (*)(const std::string&)>> transferableSettings() {
    std::vector<std::pair<std::string, std::string (*)(const std::string&)>> out;
    for (const auto& r : settingRules()) out.emplace_back(r.key, r.problem);
    out.emplace_back(kHomeReceptionUrl, homeReceptionUrlProblem);
    return out;
}

bool appliesNow(const std::string& key) {
    for (const auto& r : settingRules())
        if (r.key == key) return r.appliesNow;
    return true;  // the home-reception URL is read when used
}

// Every value of the document, checked: unknown keys, non-strings and invalid values are refused.
std::map<std::string, std::string> checkedValues(const std::string& document) {
    auto o = endpoint::jsonObject(document);
    if (endpoint::stringMember(o, "format") != kConfigFormat)
        throw KakehashiError(ErrorId::InvalidField, "format: Kakehashi の設定の書き出し（kakehashi-config-1）ではありません。書き出したファイルを選んでください");
    auto values = o->getObject("settings");
    if (!values) throw KakehashiError(ErrorId::InvalidField, "settings: 設定の一覧がありません。書き出したファイルを選んでください");
    auto known = transferableSettings();
    std::map<std::string, std::string> wanted;
    for (const auto& [key, value] : *values) {
        bool isKnown = std::any_of(known.begin(), known.end(), [&key = key](const auto& k) { return k.first == key; });
        if (!isKnown) throw KakehashiError(ErrorId::InvalidField, key + ": この版の Kakehashi にはない設定です");
        if (!value.isString()) throw KakehashiError(ErrorId::InvalidField, key + ": 値を文字列（\"…\"）で書いてください");
        wanted[key] = value.extract<std::string>();
    }
    for (const auto& [key, problemOf] : known) {
        auto it = wanted.find(key);
        if (it == wanted.end()) continue;
        std::string problem = problemOf(it->second);
        if (!problem.empty()) throw KakehashiError(ErrorId::InvalidField, key + ": " + problem);
    }
    return wanted;
}

std::string joined(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ",") + k;
    return out;
}

}  // namespace

std::string exportConfiguration(store::Settings& settings) {
    JsonWriter w;
    w.beginObject()
        .field("format", kConfigFormat)
        .field("exportedAt", model::japanIso8601(std::chrono::system_clock::now()))
        .object("settings");
    for (const auto& [key, problem] : transferableSettings())
        if (auto s = settings.get(key)) w.field(key, s->value);
    w.endObject().endObject();
    return w.take();
}

std::vector<std::string> importConfiguration(store::Settings& settings, const std::string& document, const std::string& by,
                                             const ApplyNow& applyNow) {
    auto wanted = checkedValues(document);
    std::vector<std::string> changed;
    for (const auto& [key, problem] : transferableSettings()) {
        auto it = wanted.find(key);
        if (it == wanted.end()) continue;
        auto current = settings.get(key);
        if (current && current->value == it->second) continue;
        if (applyNow && key != kHomeReceptionUrl && appliesNow(key)) applyNow(key, it->second);
        settings.set(key, it->second, by);
        if (key == kHomeReceptionUrl) settings.set("homeReception.source", "manual", by);  // as when set by hand
        changed.push_back(key);
    }
    return changed;
}

// When the last backup was made and by whom (from the audit log, which keeps it however the archive left the
// browser), and whether that is too long ago: a box whose only copy of its key is itself is one disk away
// from losing every sealed setting.
constexpr int64_t kBackupDueDays = 30;

HttpReply backupStatus(Shared& s) {
    auto last = s.parts.audit.recent("admin.backup-made", 1);
    const int64_t now = store::nowSeconds();
    JsonWriter w;
    w.beginObject();
    if (last.empty()) {
        w.field("lastBackup", false);
    } else {
        w.object("lastBackup")
            .field("at", model::japanIso8601(model::fromUnixSeconds(last.front().at)))
            .field("by", last.front().actor)
            .field("daysAgo", (now - last.front().at) / 86400)
            .endObject();
    }
    w.field("due", last.empty() || now - last.front().at > kBackupDueDays * 86400).field("dueDays", kBackupDueDays);
    w.endObject();
    return jsonReply(200, w.take());
}

std::vector<AdminRoute> backupRoutes(BackupParts parts) {
    auto s = std::make_shared<Shared>(std::move(parts));
    std::vector<AdminRoute> routes = {
        {"GET", "/admin/api/backup", "When the last backup was made, and whether one is due", Permission::ManageSettings,
         [s](AdminCall&) { return backupStatus(*s); }},
        {"POST", "/admin/api/backup", "Download a backup sealed with a passphrase: {passphrase, includeCache?}",
         Permission::ManageSettings, [s](AdminCall& c) { return backup(*s, c); }},
        {"POST", "/admin/api/restore", "Stage a restore for the next start: {backup (base64), passphrase}",
         Permission::ManageSettings, [s](AdminCall& c) { return restore(*s, c); }},
        {"POST", "/admin/api/setup/restore", "First-run restore on a fresh box: {setupCode, backup (base64), passphrase}",
         Permission::Public, [s](AdminCall& c) { return setupRestore(s, c); }},
        {"POST", "/admin/api/restart", "Restart the gateway (a staged restore is applied then)", Permission::ManageSettings,
         [s](AdminCall& c) { return restartNow(s, c); }},
        {"GET", "/admin/api/config/export", "The settings kept in the store, as a document to import elsewhere",
         Permission::ManageSettings, [s](AdminCall& call) {
             s->parts.audit.append(call.actor(), "admin.backup-config-exported", "settings", "");
             return jsonReply(200, exportConfiguration(s->parts.settings));
         }},
        {"POST", "/admin/api/config/import", "Import an exported settings document (all checked first, then applied)",
         Permission::ManageSettings, [s](AdminCall& call) {
             std::vector<std::string> changed;
             try {
                 changed = importConfiguration(s->parts.settings, call.http.body, call.actor(), s->parts.applyNow);
             } catch (const KakehashiError&) {
                 s->parts.audit.append(call.actor(), "admin.backup-config-import-refused", "settings", "");
                 throw;
             }
             s->parts.audit.append(call.actor(), "admin.backup-config-imported", "settings", "changed=" + joined(changed));
             JsonWriter w;
             w.beginObject().beginArray("changed");
             bool restart = false;
             for (const auto& key : changed) {
                 w.field("", key);
                 restart = restart || !appliesNow(key);
             }
             w.endArray().field("restartRequired", restart).endObject();
             return jsonReply(200, w.take());
         }},
    };
    // A backup travels base64 in its JSON body: these take an archive's worth.
    for (auto& r : routes)
        if (r.pattern == "/admin/api/restore" || r.pattern == "/admin/api/setup/restore" || r.pattern == "/admin/api/config/import")
            r.bodyLimit = kArchiveBodyLimit;
    return routes;
}

}  // namespace kh::admin
