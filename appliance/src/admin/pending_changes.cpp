#include "admin/pending_changes.hpp"

#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"
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
    for (auto& e : left) rollBack(std::move(e), "system", "確定されないまま停止したため元に戻しました");
}

PendingChange PendingChanges::add(const std::string& what, const std::string& actor, std::function<void()> rollback,
                                  ChangeProof proof) {
    int64_t now = store::nowSeconds();
    std::lock_guard<std::mutex> l(mutex_);
    Entry e{{crypto::uuid4(), what, actor, now, now + window_.count(), ""}, std::move(rollback), std::move(proof)};
    PendingChange c = e.withProof();
    entries_.push_back(std::move(e));
    wake_.notify_all();
    return c;
}

PendingChange PendingChanges::Entry::withProof() const {
    PendingChange c = change;
    if (proof) c.unproven = proof();
    return c;
}

bool PendingChanges::confirm(const std::string& id, const std::string& actor) {
    std::unique_lock<std::mutex> l(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->change.id != id) continue;
        if (std::string why = it->withProof().unproven; !why.empty())
            throw model::KakehashiError(model::ErrorId::ChangeUnproven, why);
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
        rollBack(std::move(e), actor, "取り消しました");
        return true;
    }
    return false;
}

std::vector<PendingChange> PendingChanges::list() {
    std::lock_guard<std::mutex> l(mutex_);
    std::vector<PendingChange> out;
    for (const auto& e : entries_) out.push_back(e.withProof());
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
            rollBack(std::move(e), "system", "期限内に確定されなかったため元に戻しました");
            l.lock();
            it = entries_.begin();  // the list may have changed meanwhile
        }
    }
}

}  // namespace kh::admin
