#include "base/files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <stdexcept>
#include <system_error>

namespace kh::base {
namespace {
constexpr std::string_view kTemporaryPrefix = ".kh-";
constexpr std::string_view kTemporarySuffix = ".tmp";

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::system_error(errno, std::generic_category(), what + " " + path);
}

void writeAll(int fd, std::string_view bytes, const std::string& path) {
    size_t done = 0;
    while (done < bytes.size()) {
        auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot write", path);
        done += size_t(n);
    }
}

std::string temporaryName() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static const char kDigits[] = "0123456789abcdef";
    std::string name(kTemporaryPrefix);
    uint64_t bits = rng();
    for (int i = 0; i < 16; ++i, bits >>= 4) name += kDigits[bits & 0xF];
    return name + std::string(kTemporarySuffix);
}

// Creates a fresh temporary in `folder`; a name already taken (planted or left over) is never reused.
int createTemporary(const std::string& folder, unsigned mode, std::string& path) {
    for (int attempt = 0; attempt < 8; ++attempt) {
        path = folder + "/" + temporaryName();
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;
}
}  // namespace

std::optional<std::string> tryReadFile(const std::string& path, size_t maxBytes) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string out;
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0 && size_t(st.st_size) <= maxBytes;
    if (ok) out.reserve(size_t(st.st_size));
    char buf[65536];
    while (ok) {
        auto n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        out.append(buf, size_t(n));
        ok = out.size() <= maxBytes;
    }
    ::close(fd);
    if (!ok) return std::nullopt;
    return out;
}

std::string readFile(const std::string& path, size_t maxBytes) {
    auto bytes = tryReadFile(path, maxBytes);
    if (!bytes) throw std::runtime_error("cannot read " + path);
    return std::move(*bytes);
}

void syncFolder(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

bool isDurableTemporary(std::string_view name) {
    return name.size() > kTemporaryPrefix.size() + kTemporarySuffix.size() && name.substr(0, kTemporaryPrefix.size()) == kTemporaryPrefix &&
           name.substr(name.size() - kTemporarySuffix.size()) == kTemporarySuffix;
}

size_t removeFilesOlderThan(const std::string& dir, int64_t cutoff, bool (*which)(std::string_view name)) {
    int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirFd < 0) return 0;
    DIR* d = ::fdopendir(dirFd);
    if (!d) {
        ::close(dirFd);
        return 0;
    }
    size_t removed = 0;
    while (dirent* e = ::readdir(d)) {
        struct stat st {};
        if (which && !which(e->d_name)) continue;
        if (::fstatat(dirFd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
        if (st.st_mtim.tv_sec >= cutoff) continue;
        if (::unlinkat(dirFd, e->d_name, 0) == 0) ++removed;
    }
    if (removed) ::fsync(dirFd);
    ::closedir(d);  // closes dirFd too
    return removed;
}

void writeFileDurably(const std::string& path, std::string_view bytes, unsigned mode) {
    auto slash = path.rfind('/');
    std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    std::string tmp;
    int fd = createTemporary(folder, mode, tmp);
    if (fd < 0) fail("cannot create a temporary for", path);
    try {
        if (::fchmod(fd, mode) != 0) fail("cannot chmod", tmp);
        writeAll(fd, bytes, tmp);
        if (::fsync(fd) != 0) fail("cannot fsync", tmp);
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int error = errno;
        ::unlink(tmp.c_str());
        errno = error;
        fail("cannot rename " + tmp + " to", path);
    }
    syncFolder(folder);
}

}  // namespace kh::base
