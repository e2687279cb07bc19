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
    for (auto& e : left)
        if (!e.rollingBack) rollBack(std::move(e), "system", "確定されないまま停止したため元に戻しました");
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
        if (it->change.id != id || it->rollingBack) continue;
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
        if (it->change.id != id || it->rollingBack) continue;
        rollBackListed(l, it, actor, "取り消しました");
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

// A change leaves the list only once it is put back and audited: until then the web admin still shows it
// as pending, so nobody reads the old settings as restored while the files are being written back, and
// neither confirm nor revert can take it a second time.
void PendingChanges::rollBackListed(std::unique_lock<std::mutex>& l, std::vector<Entry>::iterator it,
                                    const std::string& actor, const char* why) {
    it->rollingBack = true;
    const std::string id = it->change.id;
    Entry e = *it;  // a copy: the list may change while the lock is released
    l.unlock();
    rollBack(std::move(e), actor, why);
    l.lock();
    for (auto at = entries_.begin(); at != entries_.end(); ++at)
        if (at->change.id == id) {
            entries_.erase(at);
            break;
        }
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
            if (it->change.deadline > now || it->rollingBack) {
                ++it;
                continue;
            }
            rollBackListed(l, it, "system", "期限内に確定されなかったため元に戻しました");
            it = entries_.begin();  // the list may have changed meanwhile
        }
    }
}

}  // namespace kh::admin
