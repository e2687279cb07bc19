#include "endpoint/share_inbox.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <mutex>
#include <set>

#include "base/files.hpp"

namespace kh::endpoint {
namespace {
constexpr size_t kMaxNameBytes = 255;

long long steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

long long mtimeOf(const struct stat& st) { return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec; }

// A descriptor closed on every path out, with the read lease (if any) given back first.
struct OpenEntry {
    int fd = -1;
    bool leased = false;
    ~OpenEntry() {
        if (leased) ::fcntl(fd, F_SETLEASE, F_UNLCK);
        if (fd >= 0) ::close(fd);
    }
};

struct FolderHandle {
    int fd = -1;
    explicit FolderHandle(const std::string& dir) : fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) {}
    ~FolderHandle() {
        if (fd >= 0) ::close(fd);
    }
};

std::vector<std::string> namesIn(int dirFd) {
    std::vector<std::string> names;
    int copy = ::dup(dirFd);
    if (copy < 0) return names;
    DIR* d = ::fdopendir(copy);
    if (!d) {
        ::close(copy);
        return names;
    }
    while (dirent* e = ::readdir(d)) {
        if (e->d_type == DT_DIR) continue;
        std::string name = e->d_name;
        if (!name.empty() && name[0] != '.') names.push_back(std::move(name));
    }
    ::closedir(d);
    return names;
}

// Reads at most maxBytes + 1 bytes, so a file that grew past the limit is seen to have done so.
bool readAll(int fd, size_t maxBytes, std::string& out) {
    char buf[65536];
    off_t at = 0;
    for (;;) {
        auto n = ::pread(fd, buf, sizeof buf, at);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) return true;
        out.append(buf, size_t(n));
        at += n;
        if (out.size() > maxBytes) return true;
    }
}
}  // namespace

std::string keptName(long long id, const std::string& name) {
    std::string kept = std::to_string(id) + "_" + name;
    if (kept.size() <= kMaxNameBytes) return kept;
    size_t end = kMaxNameBytes;
    while (end > 0 && (static_cast<unsigned char>(kept[end]) & 0xC0) == 0x80) --end;
    kept.resize(end);
    return kept;
}

ShareInbox::ShareInbox(std::string dir, size_t maxBytes, std::chrono::milliseconds settle, std::chrono::milliseconds emptyGrace)
    : dir_(std::move(dir)), maxBytes_(maxBytes), settle_(settle), emptyGrace_(emptyGrace) {
    // While a file is read under its lease, a writer opening it waits until the lease is given back
    // (milliseconds later) and the kernel tells the holder with SIGIO, whose default would end the process.
    // The notice is not needed: the lease is released as soon as the read is done.
    static std::once_flag ignoreLeaseBreaks;
    std::call_once(ignoreLeaseBreaks, [] { std::signal(SIGIO, SIG_IGN); });
}

bool ShareInbox::complete(const std::string& name, long long size, long long mtimeNs, Readiness readiness) {
    long long now = steadyMs();
    Seen& s = seen_[name];
    if (s.size != size || s.mtimeNs != mtimeNs) s = Seen{size, mtimeNs, now, 0};
    if (readiness == Readiness::Writing) {
        s.emptySinceMs = 0;  // open for writing: not yet closed, however long it stays like this
        return false;
    }
    if (size == 0) {
        if (s.emptySinceMs == 0) s.emptySinceMs = now;
        return now - s.emptySinceMs >= emptyGrace_.count();
    }
    if (readiness == Readiness::Ready) return true;
    return now - s.stableSinceMs >= settle_.count();
}

std::vector<IncomingFile> ShareInbox::collect(const std::function<bool(const std::string&)>& wanted, size_t limit) {
    std::vector<IncomingFile> out;
    FolderHandle folder(dir_);
    if (folder.fd < 0) return out;
    std::set<std::string> present;
    for (const std::string& name : namesIn(folder.fd)) {
        if (!wanted(name)) continue;
        present.insert(name);
        if (out.size() >= limit) continue;
        IncomingFile f;
        f.name = name;
        OpenEntry entry;
        entry.fd = ::openat(folder.fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        struct stat st {};
        if (entry.fd < 0) {
            // A symlink (ELOOP) or a socket (ENXIO) is refused as such; a name already gone is skipped.
            if ((errno != ELOOP && errno != ENXIO) || ::fstatat(folder.fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
            f.refusal = IncomingFile::Refusal::NotRegular;
        } else if (::fstat(entry.fd, &st) != 0) {
            continue;
        } else if (S_ISDIR(st.st_mode)) {
            continue;  // a folder is not a request; leave it alone
        } else if (!S_ISREG(st.st_mode)) {
            f.refusal = IncomingFile::Refusal::NotRegular;
        } else if (st.st_nlink != 1) {
            f.refusal = IncomingFile::Refusal::Linked;
        }
        f.device = st.st_dev;
        f.inode = st.st_ino;
        f.mtimeNs = mtimeOf(st);
        f.size = st.st_size;
        if (f.refusal != IncomingFile::Refusal::None) {
            out.push_back(std::move(f));
            continue;
        }
        Readiness readiness = Readiness::Unknown;
        if (::fcntl(entry.fd, F_SETLEASE, F_RDLCK) == 0) {
            entry.leased = true;
            readiness = Readiness::Ready;
        } else if (errno == EAGAIN) {
            readiness = Readiness::Writing;
        }
        if (!complete(name, st.st_size, mtimeOf(st), readiness)) continue;
        if (size_t(st.st_size) > maxBytes_) {
            f.refusal = IncomingFile::Refusal::TooLarge;
        } else if (!readAll(entry.fd, maxBytes_, f.body)) {
            continue;  // an I/O error: try again on the next pass
        } else if (f.body.size() > maxBytes_) {
            f.refusal = IncomingFile::Refusal::TooLarge;
            f.body.clear();
        }
        f.size = f.refusal == IncomingFile::Refusal::TooLarge ? st.st_size : (long long)f.body.size();
        out.push_back(std::move(f));
    }
    for (auto it = seen_.begin(); it != seen_.end();) it = present.count(it->first) ? std::next(it) : seen_.erase(it);
    return out;
}

bool ShareInbox::sameEntry(int dirFd, const IncomingFile& f) const {
    struct stat st {};
    return ::fstatat(dirFd, f.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == f.device && st.st_ino == f.inode &&
           mtimeOf(st) == f.mtimeNs && !S_ISDIR(st.st_mode);
}

void ShareInbox::remove(const IncomingFile& f) {
    seen_.erase(f.name);
    FolderHandle folder(dir_);
    if (folder.fd < 0 || !sameEntry(folder.fd, f)) return;
    ::unlinkat(folder.fd, f.name.c_str(), 0);
    ::fsync(folder.fd);
}

bool ShareInbox::moveTo(const IncomingFile& f, const std::string& target, const std::string& name) {
    seen_.erase(f.name);
    FolderHandle folder(dir_);
    if (folder.fd < 0 || !sameEntry(folder.fd, f)) return false;
    FolderHandle into(target);
    bool kept = into.fd >= 0 && ::renameat(folder.fd, f.name.c_str(), into.fd, name.c_str()) == 0;
    if (!kept) ::unlinkat(folder.fd, f.name.c_str(), 0);
    ::fsync(folder.fd);
    if (into.fd >= 0) ::fsync(into.fd);
    return kept;
}

}  // namespace kh::endpoint
