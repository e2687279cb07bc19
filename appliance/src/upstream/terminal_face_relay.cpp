#include "upstream/terminal_face_relay.hpp"

#include "base/log.hpp"

namespace kh::upstream {
namespace {
constexpr const char* kClaimed = ".kakehashi-taking-";
constexpr size_t kMaxFaceFile = 4u * 1024 * 1024;

bool startsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
}  // namespace

void TerminalFaceRelay::start(FaceFileHandler handler) {
    handler_ = std::move(handler);
    loop_.start(poll_, [this] {
        try {
            pass();
        } catch (const std::exception& e) {
            log::warn("terminal.face_failed", {{"error", e.what()}});
        }
    });
}

int TerminalFaceRelay::pass() {
    if (!handler_) return 0;
    std::vector<ShareEntry> entries;
    try {
        entries = share_.list("face");
    } catch (const ShareUnavailable& e) {
        seen_.clear();
        return 0;  // the share is away: the calls' own failures report it
    }
    int handed = 0;
    std::map<std::string, std::pair<int64_t, int64_t>> now;
    for (const auto& e : entries) {
        if (startsWith(e.name, kClaimed)) {  // claimed before (a failed hand-over, or a restart): offer it again
            if (handOn(e.name, e.name.substr(std::string(kClaimed).size()))) ++handed;
            continue;
        }
        if (e.name.empty() || e.name[0] == '.' || e.name.size() < 4 || e.name.compare(e.name.size() - 4, 4, ".xml") != 0)
            continue;  // another program's temporary file, or not a result
        std::pair<int64_t, int64_t> shape{e.size, e.mtimeNanos};
        auto before = seen_.find(e.name);
        bool settled = before != seen_.end() && before->second == shape;
        now[e.name] = shape;
        if (!settled) continue;
        const std::string claimed = kClaimed + e.name;
        if (!share_.rename("face", e.name, claimed)) continue;  // another reader took it first
        now.erase(e.name);
        if (handOn(claimed, e.name)) ++handed;
    }
    seen_ = std::move(now);
    return handed;
}

bool TerminalFaceRelay::handOn(const std::string& claimed, const std::string& name) {
    auto bytes = share_.read("face", claimed, kMaxFaceFile);
    if (!bytes) return false;
    try {
        handler_(name, *bytes);
    } catch (const std::exception& e) {
        log::warn("terminal.face_not_taken", {{"file", name}, {"error", e.what()}});
        return false;
    }
    share_.remove("face", claimed);
    log::info("terminal.face_relayed", {{"file", name}});
    return true;
}

}  // namespace kh::upstream
