// The persistent outbound queue to the central system. Items leave in id order; each keeps the request
// id it was given when queued, so resends after a crash are recognised upstream as the same request.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct OutboundItem {
    int64_t id = 0;
    std::string requestId;
    std::string kind;   // inquiry | batch-upload
    std::string owner;
    std::string body;   // opened
    std::string state;  // pending | done | failed
    int attempts = 0;
    int httpStatus = 0;
    std::string error;
    std::string response;  // opened; empty until done
};

class OutboundQueue {
public:
    explicit OutboundQueue(Store& store) : store_(store) {}
    // Inside the caller's transaction, so the item and what it belongs to commit together.
    int64_t enqueue(Transaction&, const std::string& kind, const std::string& owner, const std::string& body);
    int64_t enqueue(const std::string& kind, const std::string& owner, const std::string& body);
    std::optional<OutboundItem> head();  // oldest pending item, due or not
    std::vector<int64_t> pendingIds(size_t limit);  // the oldest pending items' ids, in order
    // The item queued for `owner` (the newest, in any state), when there is one: a caller that may run again
    // after a crash (a file being answered) finds what it queued the first time instead of queuing it twice.
    std::optional<int64_t> findByOwner(const std::string& owner);
    std::optional<OutboundItem> get(int64_t id);
    void complete(int64_t id, int httpStatus, const std::string& response);
    void fail(int64_t id, int httpStatus, const std::string& error, const std::string& response);  // final: refused
    void retryLater(int64_t id, int64_t notBefore, const std::string& error);
    int64_t pendingCount();
    int64_t nextAttemptAt(int64_t id);

private:
    std::optional<OutboundItem> read(Statement& st);
    Store& store_;
};

}  // namespace kh::store
