// 「レセコンの接続設定」: what IT staff type on each receipt computer, per channel, from what the box runs
// with — the share's path and account, the folders, the API's base URL and port, where a token comes from,
// the staff page's URL and the certificate to trust for HTTPS. Addresses are those the box has on the LAN,
// the one the administrator's browser used first.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "admin/admin_route.hpp"

namespace kh::admin {

struct ReceiptSetupFacts {
    bool fileDropEnabled = false;
    std::string shareName = "kakehashi";                           // the SMB share over the file channel's folder
    std::function<std::vector<std::string>()> shareAccounts;       // the SMB accounts receipt computers use
    std::vector<std::string> faceConsumers;                        // face/<name>/ folders
    std::string resultEncoding;                                    // request | utf-8 | shift_jis
    std::string httpListen;                                        // host:port of the LAN API
    std::string lanCertificateFile;                                // the LAN API's certificate (PEM), "" without TLS
    bool staffPage = false;                                        // card readers on: the staff page is served
};

std::vector<AdminRoute> receiptSetupRoutes(ReceiptSetupFacts facts);

// The box's IPv4 addresses on its network interfaces, loopback left out.
std::vector<std::string> lanAddresses();

}  // namespace kh::admin
