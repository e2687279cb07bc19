// The shared folder of the facility's 資格確認端末 as profile "terminal" sees it: three flat sub-folders,
// req/ (requests the terminal's 連携アプリケーション takes), res/ (its answers) and face/ (face-reader results).
// Two ways to reach it: SMB through libsmbclient (smb_share_folder) and a locally mounted path
// (local_share_folder). Every operation throws ShareUnavailable when the share cannot be used (not reachable,
// refused, timed out); a missing file is an ordinary answer (nullopt / false), never an exception.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kh::upstream {

// Why the share cannot be used, in Japanese (shown to IT staff; never a password, never patient data).
class ShareUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ShareEntry {
    std::string name;
    int64_t size = 0;
    int64_t mtimeNanos = 0;
};

class ShareFolder {
public:
    virtual ~ShareFolder() = default;
    // Where it is, for logs and the web admin: smb://host[:port]/share or the path (never the password).
    virtual std::string describe() const = 0;
    // The regular files of `folder` (req, res or face), hidden ones included.
    virtual std::vector<ShareEntry> list(const std::string& folder) = 0;
    // The whole file; nullopt when it is not there. A file larger than `maxBytes` throws ShareUnavailable.
    virtual std::optional<std::string> read(const std::string& folder, const std::string& name, size_t maxBytes) = 0;
    // Creates or replaces the file with `bytes`.
    virtual void write(const std::string& folder, const std::string& name, const std::string& bytes) = 0;
    // Renames within `folder` (replacing `to`); false when `from` is not there (someone took it first).
    virtual bool rename(const std::string& folder, const std::string& from, const std::string& to) = 0;
    // False when it was not there.
    virtual bool remove(const std::string& folder, const std::string& name) = 0;
};

}  // namespace kh::upstream
