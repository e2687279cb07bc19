#include "endpoint/settled_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include "base/durable_file.hpp"

namespace kh::endpoint {
namespace {
long long steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

std::vector<std::pair<std::string, long long>> SettledFiles::poll(const std::string& dir,
                                                                  const std::function<bool(const std::string&)>& wanted) {
    std::vector<std::pair<std::string, long long>> complete;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return complete;
    long long now = steadyMs();
    std::map<std::string, Seen> still;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.empty() || name[0] == '.' || !wanted(name)) continue;
        std::string path = dir + "/" + name;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        long long mtime = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
        auto it = seen_.find(path);
        Seen s = it != seen_.end() ? it->second : Seen{};
        if (s.size != (long long)st.st_size || s.mtimeNs != mtime) s = Seen{(long long)st.st_size, mtime, now};
        still[path] = s;
        if (now - s.stableSinceMs >= settleMillis_) complete.emplace_back(name, s.size);
    }
    ::closedir(d);
    // Keep what is still there (this folder) and everything seen in other folders.
    for (auto it = seen_.begin(); it != seen_.end();) {
        if (it->first.compare(0, dir.size() + 1, dir + "/") == 0) it = seen_.erase(it);
        else ++it;
    }
    seen_.insert(still.begin(), still.end());
    return complete;
}

void writeResultFile(const std::string& dir, const std::string& name, const std::string& bytes) {
    if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
        throw std::invalid_argument("result file name not allowed");
    base::writeFileDurably(dir + "/" + name, bytes, 0640);
}

}  // namespace kh::endpoint
