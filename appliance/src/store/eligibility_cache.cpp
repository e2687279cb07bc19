#include "store/eligibility_cache.hpp"

namespace kh::store {

EligibilityCache::EligibilityCache(Store& store, size_t memoryEntries) : store_(store), capacity_(memoryEntries) {}

std::optional<CachedAnswer> EligibilityCache::get(const std::string& index) {
    {
        std::lock_guard<std::mutex> l(mutex_);
        auto it = memory_.find(index);
        if (it != memory_.end()) {
            order_.splice(order_.begin(), order_, it->second.second);
            return it->second.first;
        }
    }
    CachedAnswer answer;
    {
        auto conn = store_.db().lock();
        auto st = conn.prepare("SELECT confirmed_at, result_sealed FROM eligibility_cache WHERE identity_index = ?");
        st.bindBlob(1, index);
        if (!st.step()) return std::nullopt;
        answer.confirmedAt = st.int64(0);
        answer.result = store_.key().open(st.blob(1), "cache:" + index);
    }
    remember(index, answer);
    return answer;
}

void EligibilityCache::put(const std::string& index, const CachedAnswer& answer) {
    {
        auto conn = store_.db().lock();
        conn.prepare("INSERT INTO eligibility_cache(identity_index, confirmed_at, result_sealed) VALUES(?,?,?) "
                     "ON CONFLICT(identity_index) DO UPDATE SET confirmed_at = excluded.confirmed_at, "
                     "result_sealed = excluded.result_sealed")
            .bindBlob(1, index).bind(2, answer.confirmedAt).bindBlob(3, store_.key().seal(answer.result, "cache:" + index))
            .run();
    }
    remember(index, answer);
}

void EligibilityCache::remember(const std::string& index, const CachedAnswer& answer) {
    std::lock_guard<std::mutex> l(mutex_);
    auto it = memory_.find(index);
    if (it != memory_.end()) {
        it->second.first = answer;
        order_.splice(order_.begin(), order_, it->second.second);
        return;
    }
    order_.push_front(index);
    memory_.emplace(index, std::make_pair(answer, order_.begin()));
    if (memory_.size() > capacity_) {
        memory_.erase(order_.back());
        order_.pop_back();
    }
}

int64_t EligibilityCache::size() {
    auto conn = store_.db().lock();
    auto st = conn.prepare("SELECT COUNT(*) FROM eligibility_cache");
    st.step();
    return st.int64(0);
}

int64_t EligibilityCache::forgetConfirmedBefore(int64_t cutoff) {
    int64_t removed = 0;
    {
        auto conn = store_.db().lock();
        conn.prepare("DELETE FROM eligibility_cache WHERE confirmed_at < ?").bind(1, cutoff).run();
        removed = conn.changes();
    }
    std::lock_guard<std::mutex> l(mutex_);
    for (auto it = order_.begin(); it != order_.end();) {
        auto found = memory_.find(*it);
        if (found->second.first.confirmedAt < cutoff) {
            memory_.erase(found);
            it = order_.erase(it);
        } else {
            ++it;
        }
    }
    return removed;
}

}  // namespace kh::store
