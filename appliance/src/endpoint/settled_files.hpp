// Which files in a folder are complete: a receipt computer may write slowly over SMB, so a file counts
// only once its size and modification time have not changed for the settle time. Hidden names (".…")
// are files still being written and are never returned.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kh::endpoint {

class SettledFiles {
public:
    explicit SettledFiles(int settleMillis) : settleMillis_(settleMillis) {}
    // (name, size) of the regular files in `dir` accepted by `wanted` that have settled.
    std::vector<std::pair<std::string, long long>> poll(const std::string& dir,
                                                        const std::function<bool(const std::string&)>& wanted);
    void forget(const std::string& dir, const std::string& name) { seen_.erase(dir + "/" + name); }

private:
    struct Seen {
        long long size = -1, mtimeNs = 0, stableSinceMs = 0;
    };
    int settleMillis_;
    std::map<std::string, Seen> seen_;  // by full path
};

// Write `bytes` to `dir`/`name` durably (tmp + fsync + rename); refuses names with '/' or a leading '.'.
void writeResultFile(const std::string& dir, const std::string& name, const std::string& bytes);

}  // namespace kh::endpoint
