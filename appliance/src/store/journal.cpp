#include "store/journal.hpp"

#include <chrono>
#include <stdexcept>
#include <vector>

namespace kh::store {

int64_t nowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Journal::Journal(Store& store) : store_(store), db_(store.path()), writer_([this] { writerLoop(); }) {}

Journal::~Journal() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    writer_.join();
}

void Journal::record(JournalEntry entry) {
    std::unique_lock<std::mutex> l(mutex_);
    if (stopping_) throw std::runtime_error("journal is closed");
    pending_.push_back(std::move(entry));
    uint64_t mine = ++enqueued_;
    wake_.notify_one();
    done_.wait(l, [&] { return committed_ >= mine || !failure_.empty(); });
    if (committed_ < mine) throw std::runtime_error("journal write failed: " + failure_);
}

std::string exchangePayload(const std::string& request, const std::string& response) {
    return std::to_string(request.size()) + "\n" + request + response;
}

void Journal::recordExchange(const std::string& channel, const std::string& kind, const std::string& correlation,
                             const std::string& request, const std::string& response) {
    record({"exchange", channel, kind, correlation, exchangePayload(request, response)});
}

void Journal::insert(Transaction& tx, const JournalEntry& e, int64_t at) {
    std::string sealed = store_.key().seal(e.payload, "journal:" + e.correlation);
    tx.prepare("INSERT INTO journal(at, direction, channel, kind, correlation, payload_sealed) VALUES(?,?,?,?,?,?)")
        .bind(1, at).bind(2, e.direction).bind(3, e.channel).bind(4, e.kind).bind(5, e.correlation).bindBlob(6, sealed)
        .run();
}

void Journal::writerLoop() {
    std::unique_lock<std::mutex> l(mutex_);
    for (;;) {
        wake_.wait(l, [&] { return stopping_ || !pending_.empty(); });
        if (pending_.empty() && stopping_) return;
        std::vector<JournalEntry> group(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
        pending_.clear();
        uint64_t upTo = committed_ + group.size();
        l.unlock();
        std::string error;
        try {
            Transaction tx(db_);
            int64_t at = nowSeconds();
            for (const auto& e : group) insert(tx, e, at);
            tx.commit();
        } catch (const std::exception& ex) {
            error = ex.what();
        }
        l.lock();
        if (error.empty()) committed_ = upTo;
        else failure_ = error;
        done_.notify_all();
        if (!error.empty()) return;
    }
}

// Requests from the LAN (every channel but upstream) since `since`; errors: those answered 4xx or 5xx
// (the HTTP exchange kinds end in the status).
int64_t Journal::countSince(int64_t since, bool errorsOnly) {
    auto conn = db_.lock();
    auto st = conn.prepare(errorsOnly ? "SELECT COUNT(*) FROM journal WHERE at >= ? AND channel <> 'upstream' "
                           "AND direction <> 'out' AND kind GLOB '* [45][0-9][0-9]'"
                                     : "SELECT COUNT(*) FROM journal WHERE at >= ? AND channel <> 'upstream' AND direction <> 'out'");
    st.bind(1, since);
    st.step();
    return st.int64(0);
}

int64_t Journal::count() {
    auto conn = db_.lock();
    auto st = conn.prepare("SELECT COUNT(*) FROM journal");
    st.step();
    return st.int64(0);
}

}  // namespace kh::store
