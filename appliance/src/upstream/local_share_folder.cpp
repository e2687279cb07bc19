#include "upstream/local_share_folder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace kh::upstream {
namespace {

[[noreturn]] void unavailable(const std::string& what, const std::string& path, int err) {
    throw ShareUnavailable(what + " (" + path + "): " + std::strerror(err));
}

struct Fd {
    int fd;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

void syncFolder(const std::string& dir) {
    Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.fd >= 0) ::fsync(d.fd);  // best effort: some mounts cannot sync a folder
}
}  // namespace

std::string LocalShareFolder::path(const std::string& folder, const std::string& name) const {
    return root_ + "/" + folder + (name.empty() ? "" : "/" + name);
}

std::vector<ShareEntry> LocalShareFolder::list(const std::string& folder) {
    std::string dir = path(folder);
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) unavailable("共有フォルダの " + folder + "/ を開けません", dir, errno);
    std::vector<ShareEntry> out;
    while (dirent* e = ::readdir(d.get())) {
        struct stat st {};
        if (::fstatat(::dirfd(d.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
        out.push_back({e->d_name, int64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec});
    }
    return out;
}

std::optional<std::string> LocalShareFolder::read(const std::string& folder, const std::string& name, size_t maxBytes) {
    std::string p = path(folder, name);
    Fd f(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (f.fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        unavailable("ファイルを読めません", p, errno);
    }
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) unavailable("ファイルを読めません", p, errno);
        if (n == 0) break;
        out.append(buf, size_t(n));
        if (out.size() > maxBytes) throw ShareUnavailable("ファイルが大きすぎます (" + p + ")");
    }
    return out;
}

void LocalShareFolder::write(const std::string& folder, const std::string& name, const std::string& bytes) {
    std::string p = path(folder, name);
    Fd f(::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (f.fd < 0) unavailable("ファイルを書けません", p, errno);
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(f.fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) unavailable("ファイルを書けません", p, errno);
        done += size_t(n);
    }
    if (::fsync(f.fd) != 0) unavailable("ファイルを書けません", p, errno);
}

bool LocalShareFolder::rename(const std::string& folder, const std::string& from, const std::string& to) {
    std::string a = path(folder, from), b = path(folder, to);
    if (::rename(a.c_str(), b.c_str()) != 0) {
        if (errno == ENOENT) return false;
        unavailable("ファイル名を変えられません", a, errno);
    }
    syncFolder(path(folder));
    return true;
}

bool LocalShareFolder::remove(const std::string& folder, const std::string& name) {
    std::string p = path(folder, name);
    if (::unlink(p.c_str()) != 0) {
        if (errno == ENOENT) return false;
        unavailable("ファイルを消せません", p, errno);
    }
    return true;
}

}  // namespace kh::upstream
