// Firmware updates of the appliance image, as the web admin drives them. The gateway runs unprivileged and
// installs nothing itself: it streams an uploaded RAUC bundle into the update folder, describes it and
// leaves a request there — first a check, then, when the administrator asks, the install. The image's root
// updater (/usr/libexec/kakehashi/update, started by kakehashi-update.path) verifies the signature, installs
// into the slot that is not booted, reboots, and answers in the folder's `status` file. The folder:
//   bundle.raucb      the uploaded bundle (.bundle.raucb.part while it arrives)
//   bundle.info       size, sha256, uploadedAt, uploadedBy
//   request           id, action (check | install), sha256, requestedAt, requestedBy; the updater takes it
//   request.sent      the last request, kept: the updater's answer is the one with its id
// and the updater's own folder (root's; the gateway only reads it):
//   status            the answer: id, action, state, sha256, version, compatible, target, message, at, boot
//   rauc-status.json  `rauc status --detailed --output-format=json` as the updater last saw it
// The text files are key=value lines, one value a line, so the updater (a shell script) reads and writes
// them without a JSON parser.
#pragma once
#include <cstdint>
#include <istream>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace kh::services {

struct FirmwareSettings {
    std::string updateDir;                  // empty: not the appliance image (a package install updates with apt)
    std::string statusDir;                  // the root updater's own folder: status, rauc-status.json
    uint64_t maxBundleBytes = 1ull << 30;   // 1 GiB
    uint64_t reserveBytes = 64ull << 20;    // left free on /data for the store once the bundle is in
    std::string releaseFile = "/etc/kakehashi-release";
};

using FirmwareFields = std::map<std::string, std::string>;

struct FirmwareState {
    bool available = false;
    FirmwareFields release;                // KAKEHASHI_VERSION, KAKEHASHI_BUILT of the running root file system
    std::optional<FirmwareFields> bundle;  // bundle.info
    // The latest word on the bundle: the updater's status, or state=waiting while a request is not yet
    // taken (or the status still speaks of an earlier bundle).
    std::optional<FirmwareFields> update;
    std::string raucStatusJson;            // may be empty
};

// Reads "key=value" lines; lines without '=' are skipped.
FirmwareFields parseFirmwareFields(const std::string& text);
// The same from a file of a root helper's folder (a few KiB at most); nullopt when it is not there.
std::optional<FirmwareFields> readFirmwareFields(const std::string& path);
// One field's value, "" when absent.
std::string fieldOf(const FirmwareFields& f, const char* key);

class FirmwareUpdates {
public:
    explicit FirmwareUpdates(FirmwareSettings settings);  // creates the update folder (0700) when set

    bool available() const { return !settings_.updateDir.empty(); }
    const FirmwareSettings& settings() const { return settings_; }
    FirmwareState state() const;

    // Streams exactly `length` bytes of `body` into the folder (SHA-256 on the way, fsync, rename), then
    // asks the updater for a check. Throws model::KakehashiError: UpdateBusy (an install runs or another
    // upload arrives), TooLarge, NoSpace, NotABundle (no squashfs magic), UploadIncomplete (the stream
    // ended early). A failed upload leaves nothing behind.
    FirmwareFields receive(std::istream& body, uint64_t length, const std::string& by);
    // Asks for the install of the uploaded bundle, which must be the one named and checked valid.
    // Throws NotFound, BundleNotVerified, UpdateBusy.
    void requestInstall(const std::string& sha256Hex, const std::string& by);
    // Deletes the uploaded bundle and its check, and withdraws an install the updater has not taken yet.
    // Throws UpdateBusy while an install runs.
    void discard();

private:
    struct View {
        std::optional<FirmwareFields> request, sent, status;
        bool statusCurrent = false;  // the status answers the last request sent
        bool installRunning() const;
    };
    std::string path(const char* name) const { return settings_.updateDir + "/" + name; }
    std::string statusPath(const char* name) const { return settings_.statusDir + "/" + name; }
    View view() const;
    void reconcile();
    void clearBundle();
    void writeRequest(const char* action, const std::string& sha256Hex, const std::string& by);

    FirmwareSettings settings_;
    std::mutex mutex_;  // one upload or request at a time
};

}  // namespace kh::services
