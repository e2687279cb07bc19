#include "upstream/terminal_settings.hpp"

#include <stdexcept>

#include "upstream/local_share_folder.hpp"
#include "upstream/smb_share_folder.hpp"

namespace kh::upstream {

std::vector<std::string> terminalSettingsProblems(const TerminalSettings& s) {
    std::vector<std::string> out;
    if (s.url.empty() == s.path.empty())
        out.push_back("upstream.terminal: url（smb://…）か path（マウントしたフォルダ）のどちらか一方を指定してください "
                      "(give either url or path)");
    if (!s.url.empty()) {
        try {
            parseSmbUrl(s.url);
        } catch (const std::invalid_argument& e) {
            out.push_back(std::string("upstream.terminal.url: ") + e.what() + " (smb://host[:port]/share)");
        }
        if (s.user.empty())
            out.push_back("upstream.terminal.user: 端末の共有フォルダに接続するユーザー名を指定してください (the SMB user is required)");
    }
    if (!s.path.empty() && s.path.front() != '/')
        out.push_back("upstream.terminal.path: 絶対パスで指定してください (an absolute path)");
    if (s.concurrency < 1 || s.concurrency > 100)
        out.push_back("upstream.terminal.concurrency: 1～100 (requests at the terminal at once)");
    if (s.answerTimeoutSeconds < 5 || s.answerTimeoutSeconds > 3600)
        out.push_back("upstream.terminal.answerTimeoutSeconds: 5～3600 秒 (seconds)");
    if (s.pollMillis < 20 || s.pollMillis > 10000) out.push_back("upstream.terminal.pollMillis: 20～10000");
    if (s.timeoutSeconds < 1 || s.timeoutSeconds > 120) out.push_back("upstream.terminal.timeoutSeconds: 1～120 秒 (seconds)");
    return out;
}

std::unique_ptr<ShareFolder> openShareFolder(const TerminalSettings& s) {
    if (!s.path.empty()) return std::make_unique<LocalShareFolder>(s.path);
    if (s.url.empty()) throw std::invalid_argument("資格確認端末の共有フォルダ（url か path）が設定されていません");
    SmbSettings smb;
    smb.url = s.url;
    smb.user = s.user;
    smb.password = s.password;
    smb.timeoutSeconds = s.timeoutSeconds;
    return std::make_unique<SmbShareFolder>(smb);
}

TerminalOptions terminalOptions(const TerminalSettings& s) {
    TerminalOptions o;
    o.concurrency = s.concurrency;
    o.answerTimeout = std::chrono::seconds(s.answerTimeoutSeconds);
    o.poll = std::chrono::milliseconds(s.pollMillis);
    return o;
}

}  // namespace kh::upstream
