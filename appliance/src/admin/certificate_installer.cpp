#include "admin/certificate_installer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "base/files.hpp"
#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"

namespace kh::admin {
namespace {
using model::ErrorId;
using model::KakehashiError;

using Settings = std::vector<std::pair<const char*, std::string>>;
}  // namespace

TlsPaths tlsPaths(const std::string& stateDir) {
    std::string dir = stateDir + "/tls";
    return {dir, dir + "/facility-client.key", dir + "/facility-client.crt", dir + "/pending-client.key",
            dir + "/central-ca.crt"};
}

void removeFile(const std::string& dir, const std::string& path) {
    ::unlink(path.c_str());
    base::syncFolder(dir);
}

std::string linkProof(const upstream::LinkHealth& link) {
    auto r = link.report();
    if (r.verifiedSinceChange) return "";
    if (r.state == upstream::LinkReport::State::Down && r.lastFailureAt >= r.changedAt)
        return "新しい証明書では接続できませんでした: " + r.lastFailure;
    return "新しい証明書で中央システムとの接続を確認しています";
}

// When the context cannot be made the files are put back as they were and nothing is recorded: the box goes
// on with what it had.
void CertificateInstaller::install(const std::vector<std::pair<std::string, std::string>>& files,
                                   const upstream::TlsSettings& next, const Settings& settings, const std::string& actor) {
    if (!p_.pending.list().empty()) throw KakehashiError(ErrorId::ChangePending, "先に前の変更を確定するか、元に戻してください");
    ::mkdir(paths_.dir.c_str(), 0700);
    upstream::TlsSettings previous = p_.transport.settings();
    Saved before;
    for (const auto& f : files) before.emplace_back(f.first, base::tryReadFile(f.first));
    try {
        for (const auto& [path, bytes] : files) base::writeFileDurably(path, bytes, 0600);
    } catch (const std::exception&) {
        putBackFiles(paths_.dir, before);
        throw;  // the disk refused: an internal error, not the administrator's
    }
    try {
        p_.transport.reload(next);
    } catch (const std::exception& e) {
        putBackFiles(paths_.dir, before);
        throw KakehashiError(ErrorId::InvalidField, std::string("証明書を使えませんでした。元の証明書のままです: ") + e.what());
    }
    for (const auto& [key, value] : settings) p_.settings.set(key, value, actor);
    keepForRollback(std::move(before), previous, settings, actor);
}

void CertificateInstaller::installClient(const std::string& keyPem, const std::string& certificatePem, const std::string& actor) {
    auto next = p_.transport.settings();
    next.keyFile = paths_.clientKey;
    next.certFile = paths_.clientCert;
    // The key first: a certificate alone is useless.
    install({{paths_.clientKey, keyPem}, {paths_.clientCert, certificatePem}}, next,
            {{"upstream.keyFile", paths_.clientKey}, {"upstream.certFile", paths_.clientCert}}, actor);
}

// Until the change is confirmed, the old files, context and settings are kept to go back to.
void CertificateInstaller::keepForRollback(Saved before, const upstream::TlsSettings& previous, const Settings& settings,
                                           const std::string& actor) {
    struct Wiped {
        Saved files;
        ~Wiped() {
            for (auto& f : files)
                if (f.second) crypto::secureZero(*f.second);
        }
    };
    auto saved = std::make_shared<Wiped>(Wiped{std::move(before)});
    std::vector<std::pair<std::string, std::string>> oldSettings;
    for (const auto& [key, value] : settings) {
        std::string k = key;
        oldSettings.emplace_back(k, k == "upstream.keyFile" ? previous.keyFile
                                    : k == "upstream.certFile" ? previous.certFile : previous.caFile);
    }
    std::string what = settings.size() == 1 ? "certificate:central-ca" : "certificate:upstream-client";
    CertificateParts& p = p_;
    std::string dir = paths_.dir;
    p_.pending.add(
        what, actor,
        [&p, dir, saved, previous, oldSettings] {
            putBackFiles(dir, saved->files);
            try {
                p.transport.reload(previous);
            } catch (const std::exception& e) {
                log::error("admin.certificate_rollback_failed", {{"error", e.what()}});
            }
            for (const auto& [key, value] : oldSettings) p.settings.set(key, value, "rollback");
        },
        [&link = p.link] { return linkProof(link); });
}

void CertificateInstaller::putBackFiles(const std::string& dir, Saved& before) {
    for (auto it = before.rbegin(); it != before.rend(); ++it) {
        try {
            if (it->second) {
                base::writeFileDurably(it->first, *it->second, 0600);
                crypto::secureZero(*it->second);
            } else {
                removeFile(dir, it->first);
            }
        } catch (const std::exception&) {
            // the transport still holds the old context in memory; the next upload writes again
        }
    }
}

}  // namespace kh::admin
