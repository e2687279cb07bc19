#include "services/housekeeping.hpp"

#include <dirent.h>

#include <algorithm>
#include <limits>
#include <set>

#include "base/files.hpp"
#include "base/log.hpp"
#include "model/japan_date.hpp"

namespace kh::services {
namespace {
constexpr int64_t kDay = 86400;
constexpr int64_t kTemporaryLife = 3600;  // a durable write takes seconds; older temporaries are leftovers

std::vector<std::string> subfolders(const std::string& root) {
    std::vector<std::string> out;
    DIR* d = ::opendir(root.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d))
        if (e->d_type == DT_DIR && e->d_name[0] != '.') out.push_back(e->d_name);
    ::closedir(d);
    return out;
}

// The folders of the share the box writes into: res/ and quarantine/ of the spec folders; out/ and
// quarantine/ of each vendor folder. req/ and in/ are never swept: what is there has not been taken yet.
enum class Written { Results, Quarantine };
std::vector<std::pair<std::string, Written>> writtenFolders(const std::string& root) {
    std::vector<std::pair<std::string, Written>> out;
    for (const std::string& sub : subfolders(root)) {
        const std::string dir = root + "/" + sub;
        if (sub == "res") out.push_back({dir, Written::Results});
        else if (sub == "quarantine") out.push_back({dir, Written::Quarantine});
        else if (sub != "req") {
            out.push_back({dir + "/out", Written::Results});
            out.push_back({dir + "/quarantine", Written::Quarantine});
        }
    }
    return out;
}
}  // namespace

Housekeeping::Housekeeping(store::Retention& retention, std::function<void(int64_t)> forgetAnswers, FolderRetention folders,
                           std::vector<std::string> shareRoots, std::chrono::seconds interval)
    : retention_(retention), forgetAnswers_(std::move(forgetAnswers)), folders_(folders), interval_(interval) {
    std::sort(shareRoots.begin(), shareRoots.end());
    shareRoots.erase(std::unique(shareRoots.begin(), shareRoots.end()), shareRoots.end());
    shareRoots_ = std::move(shareRoots);
}

void Housekeeping::start() {
    loop_.start(interval_, [this] {
        try {
            auto report = sweepOnce(model::unixSeconds(std::chrono::system_clock::now()));
            log::info("housekeeping.swept", {{"payloads_dropped", std::to_string(report.store.payloadsDropped)},
                                             {"rows_deleted", std::to_string(report.store.rowsDeleted)},
                                             {"cache_deleted", std::to_string(report.store.cacheDeleted)},
                                             {"files_removed", std::to_string(report.filesRemoved)}});
        } catch (const std::exception& e) {
            log::error("housekeeping.failed", {{"error", e.what()}});
        }
    });
    loop_.poke();  // the first sweep soon after the start, not an hour later
}

void Housekeeping::stop() { loop_.stop(); }

size_t Housekeeping::sweepShare(const std::string& root, int64_t now) {
    const int64_t results = now - folders_.resultFileDays * kDay, kept = now - folders_.quarantineDays * kDay;
    size_t removed = 0;
    for (const auto& [dir, written] : writtenFolders(root)) {
        removed += base::removeFilesOlderThan(dir, written == Written::Results ? results : kept) +
                   base::removeFilesOlderThan(dir, now - kTemporaryLife, &base::isDurableTemporary);
    }
    return removed;
}

// A result killed mid-write stays in res/ as a hidden temporary as large as the answer (a 10,000-entry
// batch result is about 19 MB), which receipt computers listing the share see; a crash loop would pile
// them up for the hour the regular sweep leaves a temporary alone, in case its write is still going on.
size_t Housekeeping::removeLeftoverTemporaries() {
    size_t removed = 0;
    for (const auto& root : shareRoots_)
        for (const auto& folder : writtenFolders(root))
            removed += base::removeFilesOlderThan(folder.first, std::numeric_limits<int64_t>::max(), &base::isDurableTemporary);
    if (removed) log::info("housekeeping.leftovers_removed", {{"files", std::to_string(removed)}});
    return removed;
}

HousekeepingReport Housekeeping::sweepOnce(int64_t now) {
    HousekeepingReport report;
    report.store = retention_.sweep(now);
    if (forgetAnswers_) forgetAnswers_(now - retention_.policy().cacheDays * kDay);
    for (const auto& root : shareRoots_) report.filesRemoved += sweepShare(root, now);
    return report;
}

}  // namespace kh::services
