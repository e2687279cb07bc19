// How profile "terminal" is configured (upstream.terminal in the configuration file, or the web admin): where
// the terminal's share is, the account, and how the exchange paces itself. Checked here, in Japanese first,
// for `kakehashi check-config` and the web admin's connection test alike.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "upstream/share_folder.hpp"
#include "upstream/terminal_exchange.hpp"

namespace kh::upstream {

struct TerminalSettings {
    std::string url;       // smb://host[:port]/share[/folder] …
    std::string path;      // … or a folder mounted on the box (one of the two)
    std::string user;      // the SMB account made for Kakehashi on the terminal (user or DOMAIN\user)
    std::string password;  // never logged, never shown again once set
    int concurrency = 20;  // request files at the terminal at once
    int answerTimeoutSeconds = 60;
    int pollMillis = 200;
    int timeoutSeconds = 10;  // SMB: connecting, and each answer of the terminal's Windows
};

// What is wrong, one line each ("upstream.terminal.url: 日本語 (English)"); empty when usable.
std::vector<std::string> terminalSettingsProblems(const TerminalSettings& s);
// The share the settings name. Throws std::invalid_argument (Japanese) when they name none.
std::unique_ptr<ShareFolder> openShareFolder(const TerminalSettings& s);
TerminalOptions terminalOptions(const TerminalSettings& s);

}  // namespace kh::upstream
