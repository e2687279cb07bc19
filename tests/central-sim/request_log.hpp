// The log of X-Request-Ids the simulator has seen, and the idempotency it gives: the first arrival of
// an id that is actually processed "acts"; its answer is stored and replayed (same status and body)
// to every later arrival of the same id from the same institution, with no second effect. Arrivals
// refused by a fault are counted (timesSeen) but do not act, so a later retry is the first to act.
// Exposed at /sim/requests. Keeps the newest 100,000 ids.
#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ksim {

struct StoredAnswer {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

// Ids are scoped by institution, so one facility can never be replayed another's answer.
struct RequestKey {
    std::string institution, requestId;
};

struct Arrival {
    RequestKey key;
    std::string method, path, bodySha256;
};

struct LogEntry {
    std::string requestId, method, path, institution, bodySha256;
    int firstStatus = -1;  // the first answer given (0 = connection dropped, -1 = none yet)
    int lastStatus = -1;
    unsigned timesSeen = 0;
    bool acted = false;
    unsigned conflicts = 0;  // later arrivals whose method, path or body differed from the first
};

class RequestLog {
public:
    // Counts one arrival of the id (creating the entry on first sight).
    void arrive(const Arrival& arrival);
    // An arrival answered by a fault without being processed (status 0: connection dropped).
    void refused(const RequestKey& key, int status);
    // Waits while another arrival of the id is being processed. Returns true with the stored
    // answer when the id already acted; otherwise marks the id in progress and returns false.
    bool claimOrReplay(const RequestKey& key, StoredAnswer& replay);
    // Ends the processing begun by claimOrReplay: the id has acted, its answer is kept for replay.
    void complete(const RequestKey& key, const StoredAnswer& answer);
    // Ends it without acting (processing failed unexpectedly); a retry may act.
    void abandon(const RequestKey& key, int status);
    // For safe requests (GET) that are evaluated afresh each time: records the answer only.
    void answeredAfresh(const RequestKey& key, int status);

    std::vector<LogEntry> entries() const;
    void clear();

private:
    struct Slot {
        LogEntry entry;
        bool inProgress = false;
        StoredAnswer answer;
    };
    static std::string slotKey(const RequestKey& key);
    Slot* find(const RequestKey& key);
    void noteStatus(Slot& slot, int status);
    void evictOldest();

    mutable std::mutex mutex_;
    std::condition_variable done_;
    std::unordered_map<std::string, Slot> slots_;
    std::deque<std::string> order_;
};

std::string sha256Hex(const std::string& data);

}  // namespace ksim
