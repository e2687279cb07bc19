// A folder of the share that receipt computers write into (req/, a vendor's in/). Nothing in it is
// trusted: a name may be swapped for a symlink, a hard link, a FIFO or a device at any moment, and a
// writer may take its time (public client software creates the file in req/ and then writes it).
//  - A file is complete only when its writer has closed it: the kernel grants a read lease only while no
//    process (smbd for an SMB client, or a local writer) holds the file open for writing. Where leases are
//    not available (another owner, a file system without them), it falls back to a size and time that
//    have not changed for the settle time. An empty file is taken only after it stayed empty and closed
//    for the empty grace, because some writers create, close and open again.
//  - It is read through one descriptor, opened relative to the folder with O_NOFOLLOW|O_NONBLOCK and
//    checked with fstat: a regular file with one link, within the size limit. So nothing outside the
//    share is ever read, and no FIFO or device can block the channel.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace kh::endpoint {

struct IncomingFile {
    enum class Refusal { None, TooLarge, NotRegular, Linked };
    std::string name;
    std::string body;  // empty when refused
    long long size = 0;
    Refusal refusal = Refusal::None;
    // What was read, to tell it from whatever takes the name later (an inode number can be reused).
    dev_t device = 0;
    ino_t inode = 0;
    long long mtimeNs = 0;
};

class ShareInbox {
public:
    ShareInbox(std::string dir, size_t maxBytes, std::chrono::milliseconds settle,
               std::chrono::milliseconds emptyGrace = std::chrono::seconds(10));
    ShareInbox(const ShareInbox&) = delete;
    ShareInbox& operator=(const ShareInbox&) = delete;

    // Complete files accepted by `wanted` (hidden names never), read; refused ones with their reason.
    // At most `limit` a call, so one pass never holds the channel for long.
    std::vector<IncomingFile> collect(const std::function<bool(const std::string&)>& wanted, size_t limit = 256);
    // Removes the name when it still is what was collected (the same inode, or a refused entry) and
    // syncs the folder. Never follows a link.
    void remove(const IncomingFile& f);
    // Moves a refused entry into `folder` as `keptName` (the entry itself: a link stays a link and is
    // never followed); removes it when that fails. True when it was kept.
    bool moveTo(const IncomingFile& f, const std::string& folder, const std::string& keptName);
    const std::string& dir() const { return dir_; }

private:
    enum class Readiness { Ready, Writing, Unknown };
    struct Seen {
        long long size = -1, mtimeNs = 0, stableSinceMs = 0, emptySinceMs = 0;
    };
    bool complete(const std::string& name, long long size, long long mtimeNs, Readiness readiness);
    bool sameEntry(int dirFd, const IncomingFile& f) const;

    std::string dir_;
    size_t maxBytes_;
    std::chrono::milliseconds settle_, emptyGrace_;
    std::map<std::string, Seen> seen_;  // by name, for the fallback and the empty grace
};

// A short name to keep a refused request under: "<id>_<name>", cut to fit a file name (255 bytes)
// without splitting a UTF-8 character.
std::string keptName(long long id, const std::string& name);

}  // namespace kh::endpoint
