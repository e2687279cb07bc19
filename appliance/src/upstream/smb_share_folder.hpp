// The terminal's share over SMB, through Samba's libsmbclient (smb://host[:port]/share), with the account the
// terminal's administrator made for Kakehashi. No mount and no privileges on the box: the gateway is the SMB
// client itself.
//
// libsmbclient contexts are not thread-safe, and without smbc_thread_posix() (which Debian's library does not
// export) neither is the library's own global state: every operation runs under one process-wide lock. The
// contexts are leased from a small pool, not made per thread, because every thread that touches the share
// (the queued calls under way, polls, the face/ relay) would then hold an SMB session of its own, and the
// terminal's Windows allows only about 20 — shared with the receipt computers that still use it directly.
// After a connection failure every idle context is dropped (the server went away: they are all dead) and the
// next operation connects afresh.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "upstream/share_folder.hpp"

typedef struct _SMBCCTX SMBCCTX;

namespace kh::upstream {

struct SmbSettings {
    std::string url;       // smb://host[:port]/share[/folder…]
    std::string user;      // user, or DOMAIN\user
    std::string password;  // never logged
    int timeoutSeconds = 10;  // connecting, and each answer of the server
    size_t connections = 4;   // SMB sessions at most (see above)
};

struct SmbLocation {
    std::string host;
    uint16_t port = 0;   // 0: 445
    std::string share;   // the share name
    std::string folder;  // a folder inside the share ("" or "a/b"), where req/ res/ face/ are
};
// Throws std::invalid_argument with a Japanese message naming what is wrong.
SmbLocation parseSmbUrl(const std::string& url);

class SmbShareFolder : public ShareFolder {
public:
    explicit SmbShareFolder(SmbSettings settings);  // throws std::invalid_argument for a bad URL
    ~SmbShareFolder() override;
    SmbShareFolder(const SmbShareFolder&) = delete;
    SmbShareFolder& operator=(const SmbShareFolder&) = delete;

    std::string describe() const override;
    std::vector<ShareEntry> list(const std::string& folder) override;
    std::optional<std::string> read(const std::string& folder, const std::string& name, size_t maxBytes) override;
    void write(const std::string& folder, const std::string& name, const std::string& bytes) override;
    bool rename(const std::string& folder, const std::string& from, const std::string& to) override;
    bool remove(const std::string& folder, const std::string& name) override;

    // For libsmbclient's authentication callback.
    const SmbSettings& settings() const { return settings_; }

private:
    class Lease;
    struct Pooled {
        SMBCCTX* ctx;
        uint64_t generation;
    };
    Pooled take();
    void giveBack(Pooled p, bool broken);
    SMBCCTX* connect();
    std::string url(const std::string& folder, const std::string& name = "") const;

    SmbSettings settings_;
    SmbLocation where_;
    std::string workgroup_, user_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<Pooled> idle_;
    size_t open_ = 0;         // contexts in existence (idle or leased)
    uint64_t generation_ = 0;  // grows after a connection failure: older contexts are not reused
};

}  // namespace kh::upstream
