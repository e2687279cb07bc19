#include "services/firmware_updates.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <system_error>
#include <vector>

#include "base/files.hpp"
#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"
#include "store/store.hpp"

namespace kh::services {
namespace {
using model::ErrorId;
using model::KakehashiError;

constexpr const char* kBundle = "bundle.raucb";
constexpr const char* kPart = ".bundle.raucb.part";
constexpr const char* kInfo = "bundle.info";
constexpr const char* kRequest = "request";
constexpr const char* kSent = "request.sent";
constexpr const char* kStatus = "status";             // in the updater's folder
constexpr const char* kRaucStatus = "rauc-status.json";  // in the updater's folder
constexpr size_t kChunk = 1 << 20;
constexpr size_t kMaxTextFile = 1 << 20;

// A RAUC bundle is a squashfs image first: its magic, little-endian "hsqs".
constexpr char kSquashfsMagic[4] = {'h', 's', 'q', 's'};

std::optional<std::string> readSmallFile(const std::string& path) { return base::tryReadFile(path, kMaxTextFile); }

std::optional<FirmwareFields> readFields(const std::string& path) { return readFirmwareFields(path); }

std::string fieldsText(const FirmwareFields& f) {
    std::string out;
    for (const auto& [k, v] : f) out += k + "=" + v + "\n";
    return out;
}

void removeFile(const std::string& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        throw std::system_error(errno, std::generic_category(), "unlink " + path);
}

bool exists(const std::string& path) {
    struct stat st{};
    return ::lstat(path.c_str(), &st) == 0;
}

std::string get(const std::optional<FirmwareFields>& f, const char* key) {
    if (!f) return "";
    auto it = f->find(key);
    return it == f->end() ? "" : it->second;
}

bool isSha256Hex(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// The part file while it arrives: removed unless the upload completes.
class PartFile {
public:
    explicit PartFile(std::string path) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "open " + path_);
    }
    ~PartFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!kept_) ::unlink(path_.c_str());
    }
    void write(const char* p, size_t n) {
        while (n > 0) {
            ssize_t w = ::write(fd_, p, n);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                if (errno == ENOSPC) throw KakehashiError(ErrorId::NoSpace, "the disk filled up during the upload");
                throw std::system_error(errno, std::generic_category(), "write " + path_);
            }
            p += w;
            n -= size_t(w);
        }
    }
    void keepAs(const std::string& target) {
        if (::fsync(fd_) != 0) throw std::system_error(errno, std::generic_category(), "fsync " + path_);
        ::close(fd_);
        fd_ = -1;
        if (::rename(path_.c_str(), target.c_str()) != 0)
            throw std::system_error(errno, std::generic_category(), "rename " + path_);
        kept_ = true;
    }

private:
    std::string path_;
    int fd_ = -1;
    bool kept_ = false;
};

}  // namespace

std::optional<FirmwareFields> readFirmwareFields(const std::string& path) {
    auto text = base::tryReadFile(path, kMaxTextFile);
    if (!text) return std::nullopt;
    return parseFirmwareFields(*text);
}

std::string fieldOf(const FirmwareFields& f, const char* key) {
    auto it = f.find(key);
    return it == f.end() ? "" : it->second;
}

FirmwareFields parseFirmwareFields(const std::string& text) {
    FirmwareFields out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto eq = line.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        out.emplace(line.substr(0, eq), line.substr(eq + 1));  // the first wins, as the updater reads it
    }
    return out;
}

FirmwareUpdates::FirmwareUpdates(FirmwareSettings settings) : settings_(std::move(settings)) {
    if (!available()) return;
    if (::mkdir(settings_.updateDir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::system_error(errno, std::generic_category(), "mkdir " + settings_.updateDir);
    reconcile();
}

// After a stop at any moment: an upload cut short goes; a bundle that never got its description goes; a
// described bundle whose check was never asked for, or was interrupted, is checked again. An install is
// never asked for again by itself.
void FirmwareUpdates::reconcile() {
    ::unlink(path(kPart).c_str());
    auto info = readFields(path(kInfo));
    if (!exists(path(kBundle))) return;
    if (!info) {
        clearBundle();
        return;
    }
    if (exists(path(kRequest))) return;
    auto v = view();
    std::string sha = get(info, "sha256");
    bool asked = get(v.sent, "sha256") == sha;
    bool interrupted = v.statusCurrent && get(v.status, "state") == "interrupted";
    bool unanswered = asked && !v.statusCurrent && get(v.sent, "action") == "check";
    if (!asked || interrupted || unanswered) {
        writeRequest("check", sha, get(info, "uploadedBy"));
        log::info("firmware.check-asked-again", {{"sha256", sha}});
    }
}

FirmwareUpdates::View FirmwareUpdates::view() const {
    View v;
    v.request = readFields(path(kRequest));
    v.sent = readFields(path(kSent));
    v.status = readFields(statusPath(kStatus));
    v.statusCurrent = v.sent && v.status && !get(v.sent, "id").empty() && get(v.status, "id") == get(v.sent, "id");
    return v;
}

// The updater has taken an install (or is about to reboot after one): nothing may change under it. An
// install asked for but not yet taken is not running: it may still be withdrawn.
bool FirmwareUpdates::View::installRunning() const {
    if (get(sent, "action") != "install" || request) return false;
    if (!statusCurrent) return true;  // taken, not yet answered
    std::string state = get(status, "state");
    return state == "checking" || state == "installing" || state == "rebooting";
}

// No lock: it only reads small files, each replaced whole, and must answer during a long upload.
FirmwareState FirmwareUpdates::state() const {
    FirmwareState s;
    s.available = available();
    if (auto release = readFields(settings_.releaseFile)) s.release = *release;
    if (!s.available) return s;
    if (exists(path(kBundle))) s.bundle = readFields(path(kInfo));
    auto v = view();
    if (v.request) {
        FirmwareFields waiting = *v.request;
        waiting["state"] = "waiting";
        s.update = waiting;
    } else if (v.statusCurrent) {
        s.update = v.status;
    } else if (v.sent) {
        FirmwareFields taken = *v.sent;  // taken by the updater, which has not answered yet
        taken["state"] = "waiting";
        s.update = taken;
    }
    if (auto rauc = readSmallFile(statusPath(kRaucStatus))) s.raucStatusJson = *rauc;
    return s;
}

void FirmwareUpdates::clearBundle() {
    removeFile(path(kRequest));
    removeFile(path(kSent));
    removeFile(path(kBundle));
    removeFile(path(kInfo));
    base::syncFolder(settings_.updateDir);
}

// What was asked is kept (request.sent) before the updater is asked (request), which it takes away.
void FirmwareUpdates::writeRequest(const char* action, const std::string& sha256Hex, const std::string& by) {
    FirmwareFields request{{"id", crypto::uuid4()},
                           {"action", action},
                           {"sha256", sha256Hex},
                           {"requestedAt", std::to_string(store::nowSeconds())},
                           {"requestedBy", by}};
    base::writeFileDurably(path(kSent), fieldsText(request), 0600);
    base::writeFileDurably(path(kRequest), fieldsText(request), 0600);
}

FirmwareFields FirmwareUpdates::receive(std::istream& body, uint64_t length, const std::string& by) {
    if (!available()) throw KakehashiError(ErrorId::NotFound, "firmware updates are only on the appliance image");
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) throw KakehashiError(ErrorId::UpdateBusy, "another upload is in progress");
    auto v = view();
    if (v.installRunning() || get(v.request, "action") == "install")
        throw KakehashiError(ErrorId::UpdateBusy, "an install is asked for or running (discard withdraws one not yet taken)");
    if (length > settings_.maxBundleBytes)
        throw KakehashiError(ErrorId::TooLarge, "at most " + std::to_string(settings_.maxBundleBytes) + " bytes");
    if (length < sizeof kSquashfsMagic) throw KakehashiError(ErrorId::NotABundle, "too short for a bundle");

    clearBundle();  // the earlier bundle's space counts for this one
    struct statvfs fs{};
    if (::statvfs(settings_.updateDir.c_str(), &fs) == 0) {
        uint64_t free = uint64_t(fs.f_bavail) * fs.f_frsize;
        if (free < length + settings_.reserveBytes)
            throw KakehashiError(ErrorId::NoSpace, "needs " + std::to_string((length + settings_.reserveBytes) >> 20) +
                                                       " MiB, " + std::to_string(free >> 20) + " MiB free");
    }

    PartFile part(path(kPart));
    crypto::Sha256 digest;
    std::vector<char> buffer(kChunk);
    uint64_t received = 0;
    while (received < length) {
        size_t want = size_t(std::min<uint64_t>(kChunk, length - received));
        body.read(buffer.data(), std::streamsize(want));
        size_t got = size_t(body.gcount());
        if (got == 0) break;
        if (received == 0 && (got < sizeof kSquashfsMagic || std::memcmp(buffer.data(), kSquashfsMagic, 4) != 0))
            throw KakehashiError(ErrorId::NotABundle, "no squashfs header: not a RAUC bundle");
        part.write(buffer.data(), got);
        digest.update(std::string_view(buffer.data(), got));
        received += got;
    }
    if (received != length)
        throw KakehashiError(ErrorId::UploadIncomplete,
                             std::to_string(received) + " of " + std::to_string(length) + " bytes arrived");
    std::string sha = crypto::hex(digest.finish());
    FirmwareFields info{{"size", std::to_string(length)},
                        {"sha256", sha},
                        {"uploadedAt", std::to_string(store::nowSeconds())},
                        {"uploadedBy", by}};
    try {
        part.keepAs(path(kBundle));
        base::writeFileDurably(path(kInfo), fieldsText(info), 0600);
        writeRequest("check", sha, by);
        base::syncFolder(settings_.updateDir);
    } catch (...) {
        clearBundle();  // never a bundle without its description (a stop here is undone by reconcile)
        throw;
    }
    log::info("firmware.bundle-received", {{"bytes", std::to_string(length)}, {"sha256", sha}});
    return info;
}

void FirmwareUpdates::requestInstall(const std::string& sha256Hex, const std::string& by) {
    if (!available()) throw KakehashiError(ErrorId::NotFound, "firmware updates are only on the appliance image");
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) throw KakehashiError(ErrorId::UpdateBusy, "an upload is in progress");
    auto v = view();
    if (v.installRunning()) throw KakehashiError(ErrorId::UpdateBusy, "an install is running");
    if (!exists(path(kBundle))) throw KakehashiError(ErrorId::NotFound, "no bundle uploaded");
    std::string sha = get(readFields(path(kInfo)), "sha256");
    if (!isSha256Hex(sha256Hex) || sha256Hex != sha)
        throw KakehashiError(ErrorId::BundleNotVerified, "sha256 is not the uploaded bundle's");
    if (v.request || !v.statusCurrent || get(v.status, "sha256") != sha || get(v.status, "state") != "valid")
        throw KakehashiError(ErrorId::BundleNotVerified, "the bundle's check has not passed");
    writeRequest("install", sha, by);
    base::syncFolder(settings_.updateDir);
    log::info("firmware.install-requested", {{"sha256", sha}});
}

void FirmwareUpdates::discard() {
    if (!available()) throw KakehashiError(ErrorId::NotFound, "firmware updates are only on the appliance image");
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) throw KakehashiError(ErrorId::UpdateBusy, "an upload is in progress");
    // A request not yet taken is withdrawn by deleting it; if the updater took it meanwhile, it runs.
    bool withdrawn = ::unlink(path(kRequest).c_str()) == 0;
    if (!withdrawn && errno != ENOENT) throw std::system_error(errno, std::generic_category(), "unlink " + path(kRequest));
    if (!withdrawn && view().installRunning()) throw KakehashiError(ErrorId::UpdateBusy, "an install is running");
    clearBundle();
}

}  // namespace kh::services
