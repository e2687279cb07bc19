#include "admin/receipt_setup_routes.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>

#include "base/files.hpp"
#include "base/json_writer.hpp"
#include "crypto/x509.hpp"
#include "model/errors.hpp"

namespace kh::admin {
namespace {
using base::JsonWriter;
using endpoint::HttpReply;

constexpr size_t kMostCertificateBytes = 64 * 1024;

std::string portOf(const std::string& listen) {
    auto colon = listen.rfind(':');
    return colon == std::string::npos ? "" : listen.substr(colon + 1);
}

// The host part of the Host header the administrator's browser sent (an address or a name), if any.
std::string browserHost(const AdminCall& call) {
    std::string host = call.http.header("host");
    if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);  // [IPv6]:port
    return host.substr(0, host.find(':'));
}

// The browser's host first (it reaches the box, so a receipt computer on the same LAN likely does too), then
// the interfaces' addresses.
std::vector<std::string> hostsFor(const AdminCall& call) {
    std::vector<std::string> hosts;
    std::string first = browserHost(call);
    if (!first.empty() && first != "localhost" && first.rfind("127.", 0) != 0) hosts.push_back(first);
    for (const auto& a : lanAddresses())
        if (std::find(hosts.begin(), hosts.end(), a) == hosts.end()) hosts.push_back(a);
    return hosts;
}

void writeCertificate(JsonWriter& w, const std::string& file) {
    auto pem = file.empty() ? std::nullopt : base::tryReadFile(file, kMostCertificateBytes);
    auto info = pem ? crypto::readCertificatePem(*pem) : std::nullopt;
    w.object("certificate").field("available", bool(info));
    if (info)
        w.field("subject", info->subject)
            .field("issuer", info->issuer)
            .field("selfSigned", info->subject == info->issuer)
            .field("fingerprint", info->sha256Fingerprint);
    w.endObject();
}

HttpReply setupSheet(const ReceiptSetupFacts& f, const AdminCall& call) {
    auto hosts = hostsFor(call);
    const std::string host = hosts.empty() ? "" : hosts.front();
    const bool tls = !f.lanCertificateFile.empty();
    const std::string base = std::string(tls ? "https" : "http") + "://" + (host.empty() ? "<本機のアドレス>" : host) + ":" +
                             portOf(f.httpListen);
    JsonWriter w;
    w.beginObject().beginArray("hosts");
    for (const auto& h : hosts) w.beginObject().field("address", h).endObject();
    w.endArray();
    w.object("fileChannel")
        .field("enabled", f.fileDropEnabled)
        .field("share", "\\\\" + (host.empty() ? std::string("<本機のアドレス>") : host) + "\\" + f.shareName)
        .field("shareName", f.shareName)
        .field("resultEncoding", f.resultEncoding)
        .beginArray("accounts");
    if (f.shareAccounts)
        for (const auto& a : f.shareAccounts()) w.beginObject().field("name", a).endObject();
    w.endArray().beginArray("faceFolders");
    for (const auto& c : f.faceConsumers) w.beginObject().field("path", "face\\" + c).endObject();
    w.endArray().endObject();
    w.object("httpApi")
        .field("baseUrl", base + "/api/v1")
        .field("openApiUrl", base + "/api/v1/openapi.json")
        .field("port", portOf(f.httpListen))
        .field("tls", tls);
    writeCertificate(w, f.lanCertificateFile);
    w.endObject();
    w.object("staffPage").field("enabled", f.staffPage).field("url", base + "/staff").endObject();
    w.endObject();
    return {200, "application/json", w.take(), {}};
}

HttpReply lanCertificate(const ReceiptSetupFacts& f) {
    auto pem = f.lanCertificateFile.empty() ? std::nullopt : base::tryReadFile(f.lanCertificateFile, kMostCertificateBytes);
    if (!pem || !crypto::readCertificatePem(*pem))
        throw model::KakehashiError(model::ErrorId::NotFound, "LAN用の証明書がありません（HTTPS を使っていません）");
    return {200, "application/x-pem-file", *pem,
            {{"Content-Disposition", "attachment; filename=\"kakehashi-lan.crt\""}}};
}
}  // namespace

std::vector<std::string> lanAddresses() {
    std::vector<std::string> out;
    struct ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (auto* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
            continue;
        char text[INET_ADDRSTRLEN] = {};
        auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
        if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) out.emplace_back(text);
    }
    ::freeifaddrs(list);
    return out;
}

std::vector<AdminRoute> receiptSetupRoutes(ReceiptSetupFacts facts) {
    return {
        {"GET", "/admin/api/receipt-setup",
         "What to set on a receipt computer, per channel: share and account, API base URL, staff page, certificate",
         Permission::ManageSettings, [facts](AdminCall& call) { return setupSheet(facts, call); }},
        {"GET", "/admin/api/receipt-setup/lan-certificate.pem", "The LAN API's certificate, for receipt computers to trust",
         Permission::ManageSettings, [facts](AdminCall&) { return lanCertificate(facts); }},
    };
}

}  // namespace kh::admin
