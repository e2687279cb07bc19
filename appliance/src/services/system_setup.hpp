// The box's own system settings, as the web admin asks for them (本機のシステム設定): the share's SMB
// accounts for the receipt computers, the LAN address, the time sources, the LAN ranges the firewall lets in,
// and a reboot. The appliance image has no shell, and the gateway runs unprivileged and changes none of these
// itself: like the firmware update, it leaves a request in its folder, and the image's root helper
// (/usr/libexec/kakehashi/system, started by kakehashi-system.path) checks every value again, applies it with
// the system's own tools and answers in its own folder. The gateway's folder:
//   request           id, action, the action's values, requestedAt, requestedBy; the helper takes it
//   request.sent      the last request, kept: the helper's answer is the one with its id
//   password-<id>     an SMB account's password for request <id> (0600), removed by the helper
// and the helper's folder (root's; the gateway only reads it):
//   status            the answer: id, action, state (working | done | failed), message (Japanese), at
//   current           the settings as they are now: smb.accounts, network.*, ntp.servers, firewall.ranges
// All are key=value lines, as the firmware updater's, so the shell script reads and writes them as they are.
#pragma once
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/firmware_updates.hpp"

namespace kh::services {

struct SystemSetupSettings {
    std::string requestDir;  // empty: not the appliance image (a package install is set up with the OS)
    std::string statusDir;   // the root helper's own folder: status, current
};

struct LanAddress {
    bool dhcp = true;
    std::string address;           // static: IPv4
    int prefix = 0;                // static: 8..30
    std::string gateway;           // may be empty (a LAN without a router)
    std::vector<std::string> dns;  // up to 3, IPv4
};

struct SystemSetupState {
    bool available = false;
    // The latest word on the last request: the helper's status, or state=waiting while it is not yet taken
    // (or the status still speaks of an earlier request).
    std::optional<FirmwareFields> answer;
    FirmwareFields current;  // as the helper last read the system's files; empty before its first run
};

// What is wrong with a value, in Japanese for the page ("" when it is fine). The helper checks the same
// again; these only answer sooner, and in the words of the field.
std::string smbAccountNameProblem(const std::string& name);
std::string smbPasswordProblem(const std::string& password);
std::string lanAddressProblem(const LanAddress& lan);
std::string timeSourcesProblem(const std::vector<std::string>& servers);
// `browser`: the address the request came from; ranges that would shut it out are refused, so nobody locks
// themselves out of the web admin by a typing error.
std::string lanRangesProblem(const std::vector<std::string>& ranges, const std::string& browser);
// A card reader shared by a tablet over USB/IP: the tablet's IPv4 address and the reader's bus id ("1-2").
std::string readerProblem(const std::string& host, const std::string& busId);

class SystemSetup {
public:
    explicit SystemSetup(SystemSetupSettings settings);  // creates the request folder (0700) when set

    bool available() const { return !settings_.requestDir.empty(); }
    SystemSetupState state() const;

    // Each checks its values (model::KakehashiError InvalidField, with the problem in Japanese), refuses
    // while an earlier request waits for the helper (SystemSetupBusy), writes the request and returns its id.
    std::string setSmbAccount(const std::string& name, const std::string& password, const std::string& by);
    std::string deleteSmbAccount(const std::string& name, const std::string& by);
    std::string listSmbAccounts(const std::string& by);
    std::string setLanAddress(const LanAddress& lan, const std::string& by);
    std::string setTimeSources(const std::vector<std::string>& servers, const std::string& by);
    std::string setLanRanges(const std::vector<std::string>& ranges, const std::string& browser, const std::string& by);
    // A home visit's card reader, shared over USB/IP by the tablet through the facility's VPN, attached to
    // the box so that pcscd (and the staff page) sees it; detached by its port on the box (usbip port).
    std::string attachReader(const std::string& host, const std::string& busId, const std::string& by);
    std::string detachReader(int port, const std::string& by);
    std::string reboot(const std::string& by);

private:
    std::string path(const std::string& name) const { return settings_.requestDir + "/" + name; }
    std::string send(FirmwareFields request, const std::string& by, const std::string* password = nullptr);

    SystemSetupSettings settings_;
    std::mutex mutex_;  // one request at a time
};

}  // namespace kh::services
