#include "request_log.hpp"

#include <openssl/evp.h>

namespace ksim {

namespace {
constexpr std::size_t kMaxEntries = 100000;
}

std::string sha256Hex(const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

std::string RequestLog::slotKey(const RequestKey& key) { return key.institution + '\n' + key.requestId; }

RequestLog::Slot* RequestLog::find(const RequestKey& key) {
    auto it = slots_.find(slotKey(key));
    return it == slots_.end() ? nullptr : &it->second;
}

void RequestLog::evictOldest() {
    while (order_.size() > kMaxEntries) {
        auto it = slots_.find(order_.front());
        if (it != slots_.end() && it->second.inProgress) break;
        if (it != slots_.end()) slots_.erase(it);
        order_.pop_front();
    }
}

void RequestLog::arrive(const Arrival& a) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, isNew] = slots_.try_emplace(slotKey(a.key));
    LogEntry& e = it->second.entry;
    if (isNew) {
        e = {a.key.requestId, a.method, a.path, a.key.institution, a.bodySha256};
        order_.push_back(it->first);
        evictOldest();
    } else if (e.method != a.method || e.path != a.path || e.bodySha256 != a.bodySha256) {
        ++e.conflicts;
    }
    ++e.timesSeen;
}

void RequestLog::noteStatus(Slot& slot, int status) {
    if (slot.entry.firstStatus < 0) slot.entry.firstStatus = status;
    slot.entry.lastStatus = status;
}

void RequestLog::refused(const RequestKey& key, int status) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (Slot* slot = find(key)) noteStatus(*slot, status);
}

bool RequestLog::claimOrReplay(const RequestKey& key, StoredAnswer& replay) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        Slot* slot = find(key);
        if (!slot) return false;  // cleared meanwhile: process without a log entry
        if (slot->inProgress) {
            done_.wait(lock);
            continue;
        }
        if (slot->entry.acted) {
            replay = slot->answer;
            noteStatus(*slot, replay.status);
            return true;
        }
        slot->inProgress = true;
        return false;
    }
}

void RequestLog::complete(const RequestKey& key, const StoredAnswer& answer) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (Slot* slot = find(key)) {
            slot->inProgress = false;
            slot->entry.acted = true;
            slot->answer = answer;
            noteStatus(*slot, answer.status);
        }
    }
    done_.notify_all();
}

void RequestLog::abandon(const RequestKey& key, int status) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (Slot* slot = find(key)) {
            slot->inProgress = false;
            noteStatus(*slot, status);
        }
    }
    done_.notify_all();
}

void RequestLog::answeredAfresh(const RequestKey& key, int status) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (Slot* slot = find(key)) {
        slot->entry.acted = true;
        noteStatus(*slot, status);
    }
}

std::vector<LogEntry> RequestLog::entries() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<LogEntry> out;
    out.reserve(order_.size());
    for (const auto& key : order_) {
        auto it = slots_.find(key);
        if (it != slots_.end()) out.push_back(it->second.entry);
    }
    return out;
}

void RequestLog::clear() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        slots_.clear();
        order_.clear();
    }
    done_.notify_all();
}

}  // namespace ksim
