// The journal of every message in and out. record() returns only once the entry is on disk; entries
// arriving together share one commit (group commit), so a busy channel pays one fsync per group. The
// journal writes through its own connection, so its commits never hold up readers of the store.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "store/store.hpp"

namespace kh::store {

struct JournalEntry {
    std::string direction;    // in | out | exchange (a request and its answer in one row)
    std::string channel;      // file | http | upstream
    std::string kind;         // e.g. OQSsiquc01req, eligibility-inquiry
    std::string correlation;  // file name, request id, reception number — never patient data
    std::string payload;      // sealed before it is written
};

class Journal {
public:
    explicit Journal(Store& store);
    ~Journal();
    void record(JournalEntry entry);    // durable when it returns
    // A request and its answer as one row; the payload is framed by exchangePayload().
    void recordExchange(const std::string& channel, const std::string& kind, const std::string& correlation,
                        const std::string& request, const std::string& response);
    int64_t count();
    int64_t countSince(int64_t since, bool errorsOnly);  // the dashboard's requests and errors today

private:
    void writerLoop();
    void insert(Transaction& tx, const JournalEntry& e, int64_t at);

    Store& store_;
    Database db_;  // the journal's own connection to the same file
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::deque<JournalEntry> pending_;
    uint64_t enqueued_ = 0, committed_ = 0;
    bool stopping_ = false;
    std::string failure_;
    std::thread writer_;
};

// "<request length>\n<request><response>": both bodies in one sealed payload, split without ambiguity.
std::string exchangePayload(const std::string& request, const std::string& response);

}  // namespace kh::store
