#include "admin/pending_changes.hpp"

#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "store/store.hpp"

namespace kh::admin {

PendingChanges::PendingChanges(store::AuditLog& audit, std::chrono::seconds window) : audit_(audit), window_(window) {}

PendingChanges::~PendingChanges() { stop(); }

void PendingChanges::start() {
    std::lock_guard<std::mutex> l(mutex_);
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void PendingChanges::stop() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        stopping_ = true;
        wake_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    std::vector<Entry> left;
    {
        std::lock_guard<std::mutex> l(mutex_);
        left.swap(entries_);
    }
    for (auto& e : left) rollBack(std::move(e), "system", "stopped before it was confirmed");
}

PendingChange PendingChanges::add(const std::string& what, const std::string& actor, std::function<void()> rollback) {
    int64_t now = store::nowSeconds();
    PendingChange c{crypto::uuid4(), what, actor, now, now + window_.count()};
    std::lock_guard<std::mutex> l(mutex_);
    entries_.push_back({c, std::move(rollback)});
    wake_.notify_all();
    return c;
}

bool PendingChanges::confirm(const std::string& id, const std::string& actor) {
    std::unique_lock<std::mutex> l(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->change.id != id) continue;
        std::string what = it->change.what;
        entries_.erase(it);
        l.unlock();
        audit_.append(actor, "admin.change-confirmed", "change:" + id, what);
        return true;
    }
    return false;
}

bool PendingChanges::revert(const std::string& id, const std::string& actor) {
    std::unique_lock<std::mutex> l(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->change.id != id) continue;
        Entry e = std::move(*it);
        entries_.erase(it);
        l.unlock();
        rollBack(std::move(e), actor, "reverted");
        return true;
    }
    return false;
}

std::vector<PendingChange> PendingChanges::list() {
    std::lock_guard<std::mutex> l(mutex_);
    std::vector<PendingChange> out;
    for (const auto& e : entries_) out.push_back(e.change);
    return out;
}

void PendingChanges::rollBack(Entry entry, const std::string& actor, const char* why) {
    entry.rollback();
    log::warn("admin.change_rolled_back", {{"change", entry.change.id}, {"why", why}});
    audit_.append(actor, "admin.change-rolled-back", "change:" + entry.change.id, entry.change.what + "; " + why);
}

// Once a second: roll back what passed its deadline unconfirmed.
void PendingChanges::run() {
    std::unique_lock<std::mutex> l(mutex_);
    while (!stopping_) {
        wake_.wait_for(l, std::chrono::seconds(1));
        int64_t now = store::nowSeconds();
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (it->change.deadline > now) {
                ++it;
                continue;
            }
            Entry e = std::move(*it);
            it = entries_.erase(it);
            l.unlock();
            rollBack(std::move(e), "system", "not confirmed in time");
            l.lock();
            it = entries_.begin();  // the list may have changed meanwhile
        }
    }
}

}  // namespace kh::admin
