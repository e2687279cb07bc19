#include "services/system_setup.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <system_error>

#include "base/files.hpp"
#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"
#include "store/store.hpp"

namespace kh::services {
namespace {
using model::ErrorId;
using model::KakehashiError;

constexpr const char* kRequest = "request";
constexpr const char* kSent = "request.sent";
constexpr const char* kPasswordPrefix = "password-";
constexpr const char* kStatus = "status";    // in the helper's folder
constexpr const char* kCurrent = "current";  // in the helper's folder
constexpr size_t kMaxDns = 3, kMaxTimeSources = 5, kMaxRanges = 16;

std::optional<FirmwareFields> readFields(const std::string& path) { return readFirmwareFields(path); }

std::string get(const std::optional<FirmwareFields>& f, const char* key) { return f ? fieldOf(*f, key) : ""; }

std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : " ") + v;
    return out;
}

// Dotted-quad IPv4 only (no leading zeros, no short forms), as the helper's pattern.
std::optional<uint32_t> ipv4(const std::string& text) {
    in_addr a{};
    if (text.empty() || text.size() > 15 || ::inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
    return ntohl(a.s_addr);
}

uint32_t maskOf(int prefix) { return prefix == 0 ? 0 : uint32_t(0xFFFFFFFFull << (32 - prefix)); }

// "0".."32" without a sign or leading zero; -1 otherwise.
int prefixOf(const std::string& text) {
    if (text.empty() || text.size() > 2 || text.find_first_not_of("0123456789") != std::string::npos) return -1;
    if (text.size() == 2 && text[0] == '0') return -1;
    int p = std::stoi(text);
    return p <= 32 ? p : -1;
}

bool isHostName(const std::string& name) {
    if (name.empty() || name.size() > 253) return false;
    if (name.find_first_not_of("0123456789.") == std::string::npos) return false;  // digits: an address or nothing
    size_t start = 0;
    while (start <= name.size()) {
        size_t end = name.find('.', start);
        if (end == std::string::npos) end = name.size();
        std::string label = name.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char c : label)
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
        start = end + 1;
    }
    return true;
}

// A value as the page shows it back in a message: short, and nothing but printable ASCII.
std::string shown(const std::string& value) {
    std::string out;
    for (char c : value.substr(0, 64)) out += (c > ' ' && c < 0x7f) ? c : '?';
    return out;
}

void invalid(const std::string& problem) {
    if (!problem.empty()) throw KakehashiError(ErrorId::InvalidField, problem);
}

void removeStalePasswords(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.rfind(kPasswordPrefix, 0) == 0) ::unlinkat(::dirfd(d), name.c_str(), 0);
    }
    ::closedir(d);
}

}  // namespace

std::string smbAccountNameProblem(const std::string& name) {
    bool ok = !name.empty() && name.size() <= 32 && name[0] >= 'a' && name[0] <= 'z';
    for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
    return ok ? "" : "アカウント名は英小文字で始まる英小文字・数字・-・_ の 32 文字以内にしてください";
}

std::string smbPasswordProblem(const std::string& password) {
    if (password.size() < 8) return "パスワードは 8 文字以上にしてください";
    if (password.size() > 1024) return "パスワードが長すぎます";
    for (unsigned char c : password)
        if (c < 0x20 || c == 0x7f) return "パスワードに制御文字は使えません";
    return "";
}

std::string lanAddressProblem(const LanAddress& lan) {
    if (lan.dhcp) return "";
    auto a = ipv4(lan.address);
    if (!a) return "IP アドレスの形式が正しくありません（例: 192.168.1.10）";
    if (lan.prefix < 8 || lan.prefix > 30) return "プレフィックス長は 8〜30 の数にしてください（255.255.255.0 なら 24）";
    uint32_t mask = maskOf(lan.prefix), net = *a & mask, broadcast = net | ~mask;
    uint32_t first = *a >> 24;
    if (first == 0 || first == 127 || first >= 224) return lan.address + " は LAN の機器のアドレスに使えません";
    if (*a == net || *a == broadcast)
        return lan.address + "/" + std::to_string(lan.prefix) + " はネットワークまたはブロードキャストのアドレスです";
    if (!lan.gateway.empty()) {
        auto g = ipv4(lan.gateway);
        if (!g) return "デフォルトゲートウェイの形式が正しくありません（例: 192.168.1.1）";
        if ((*g & mask) != net || *g == *a || *g == net || *g == broadcast)
            return "デフォルトゲートウェイ " + lan.gateway + " は " + lan.address + "/" + std::to_string(lan.prefix) +
                   " と同じネットワークの別のアドレスにしてください";
    }
    if (lan.dns.size() > kMaxDns) return "DNS サーバーは 3 つまでです";
    for (const auto& d : lan.dns)
        if (!ipv4(d)) return "DNS サーバーの形式が正しくありません（例: 192.168.1.1）";
    return "";
}

std::string timeSourcesProblem(const std::vector<std::string>& servers) {
    if (servers.size() > kMaxTimeSources) return "NTP サーバーは 5 つまでです";
    for (const auto& s : servers)
        if (!ipv4(s) && !isHostName(s)) return "NTP サーバー「" + shown(s) + "」の形式が正しくありません";
    return "";
}

std::string lanRangesProblem(const std::vector<std::string>& ranges, const std::string& browser) {
    if (ranges.size() > kMaxRanges) return "範囲は 16 個までです";
    std::string from = browser.rfind("::ffff:", 0) == 0 ? browser.substr(7) : browser;
    auto client = ipv4(from);
    bool clientInside = !client || (*client >> 24) == 127;  // loopback always reaches the box
    for (const auto& r : ranges) {
        auto slash = r.find('/');
        auto a = slash == std::string::npos ? std::nullopt : ipv4(r.substr(0, slash));
        int prefix = slash == std::string::npos ? -1 : prefixOf(r.substr(slash + 1));
        if (!a || prefix < 0) return "範囲「" + shown(r) + "」の形式が正しくありません（例: 192.168.1.0/24）";
        if ((*a & maskOf(prefix)) != *a) return "範囲 " + r + " はネットワークのアドレスで書いてください（例: 192.168.1.0/24）";
        if (client && (*client & maskOf(prefix)) == *a) clientInside = true;
    }
    if (!ranges.empty() && !clientInside)
        return "この画面を開いている機器（" + from + "）が範囲に入っていません。入れないと、保存した直後からこの画面に接続できなくなります";
    return "";
}

SystemSetup::SystemSetup(SystemSetupSettings settings) : settings_(std::move(settings)) {
    if (!available()) return;
    if (::mkdir(settings_.requestDir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::system_error(errno, std::generic_category(), "mkdir " + settings_.requestDir);
    // A password whose request never reached the helper (a stop in between) does not stay on the disk.
    if (!readFields(path(kRequest))) removeStalePasswords(settings_.requestDir);
}

SystemSetupState SystemSetup::state() const {
    SystemSetupState s;
    s.available = available();
    if (!s.available) return s;
    auto request = readFields(path(kRequest));
    auto sent = readFields(path(kSent));
    auto status = readFields(settings_.statusDir + "/" + kStatus);
    bool answered = sent && status && !get(sent, "id").empty() && get(status, "id") == get(sent, "id");
    if (answered && !request) {
        s.answer = status;
    } else if (request || sent) {
        // Not yet taken, or taken by the helper, which has not answered yet.
        const auto& asked = request ? request : sent;
        s.answer = FirmwareFields{{"id", get(asked, "id")}, {"action", get(asked, "action")},
                                  {"requestedAt", get(asked, "requestedAt")}, {"state", "waiting"}};
    }
    if (auto current = readFields(settings_.statusDir + "/" + kCurrent)) s.current = *current;
    return s;
}

// The password first, then what was asked (request.sent), then the request itself, which the helper takes.
std::string SystemSetup::send(FirmwareFields request, const std::string& by, const std::string* password) {
    if (!available()) throw KakehashiError(ErrorId::NotFound, "system settings are made with the OS on this box");
    std::lock_guard<std::mutex> lock(mutex_);
    struct stat st{};
    if (::lstat(path(kRequest).c_str(), &st) == 0)
        throw KakehashiError(ErrorId::SystemSetupBusy, "an earlier request has not been taken yet");
    std::string id = crypto::uuid4();
    request["id"] = id;
    request["requestedAt"] = std::to_string(store::nowSeconds());
    request["requestedBy"] = by;
    std::string text;
    for (auto [k, v] : request) {
        for (char& c : v)
            if (c == '\n' || c == '\r') c = ' ';  // one value a line, whatever a name holds
        text += k + "=" + v + "\n";
    }
    std::string passwordFile = path(kPasswordPrefix + id);
    try {
        if (password) base::writeFileDurably(passwordFile, *password, 0600);
        base::writeFileDurably(path(kSent), text, 0600);
        base::writeFileDurably(path(kRequest), text, 0600);
    } catch (...) {
        ::unlink(passwordFile.c_str());  // never a password without its request
        throw;
    }
    log::info("system.requested", {{"id", id}, {"action", request["action"]}});
    return id;
}

std::string SystemSetup::setSmbAccount(const std::string& name, const std::string& password, const std::string& by) {
    invalid(smbAccountNameProblem(name));
    invalid(smbPasswordProblem(password));
    return send({{"action", "smb-account-set"}, {"name", name}}, by, &password);
}

std::string SystemSetup::deleteSmbAccount(const std::string& name, const std::string& by) {
    invalid(smbAccountNameProblem(name));
    return send({{"action", "smb-account-delete"}, {"name", name}}, by);
}

std::string SystemSetup::listSmbAccounts(const std::string& by) { return send({{"action", "smb-accounts-list"}}, by); }

std::string SystemSetup::setLanAddress(const LanAddress& lan, const std::string& by) {
    invalid(lanAddressProblem(lan));
    if (lan.dhcp) return send({{"action", "network"}, {"mode", "dhcp"}}, by);
    return send({{"action", "network"},
                 {"mode", "static"},
                 {"address", lan.address},
                 {"prefix", std::to_string(lan.prefix)},
                 {"gateway", lan.gateway},
                 {"dns", joined(lan.dns)}},
                by);
}

std::string SystemSetup::setTimeSources(const std::vector<std::string>& servers, const std::string& by) {
    invalid(timeSourcesProblem(servers));
    return send({{"action", "ntp"}, {"servers", joined(servers)}}, by);
}

std::string SystemSetup::setLanRanges(const std::vector<std::string>& ranges, const std::string& browser,
                                      const std::string& by) {
    invalid(lanRangesProblem(ranges, browser));
    return send({{"action", "firewall"}, {"ranges", joined(ranges)}}, by);
}

std::string readerProblem(const std::string& host, const std::string& busId) {
    if (!ipv4(host)) return "タブレットのアドレスは IPv4 の形で入力してください（例: 10.8.0.12）";
    // usbip's bus ids: "<bus>-<port>[.<port>…]", digits only.
    bool ok = !busId.empty() && busId.size() <= 24 && std::isdigit(static_cast<unsigned char>(busId.front())) &&
              std::isdigit(static_cast<unsigned char>(busId.back())) && busId.find('-') != std::string::npos &&
              busId.find_first_not_of("0123456789-.") == std::string::npos && busId.find("..") == std::string::npos &&
              busId.find("-.") == std::string::npos && busId.find(".-") == std::string::npos &&
              busId.find('-') == busId.rfind('-');
    return ok ? "" : "バス ID は usbipd list に表示される形で入力してください（例: 1-2）";
}

std::string SystemSetup::attachReader(const std::string& host, const std::string& busId, const std::string& by) {
    invalid(readerProblem(host, busId));
    return send({{"action", "reader-attach"}, {"host", host}, {"busid", busId}}, by);
}

std::string SystemSetup::detachReader(int port, const std::string& by) {
    if (port < 0 || port > 99) invalid("ポート番号は 0〜99 で入力してください");
    return send({{"action", "reader-detach"}, {"port", std::to_string(port)}}, by);
}

std::string SystemSetup::reboot(const std::string& by) { return send({{"action", "reboot"}}, by); }

}  // namespace kh::services
