// The file protocol with the 資格確認端末's 連携アプリケーション, one request at a time, as a receipt computer
// speaks it: a request file goes into req/ (written under a hidden temporary name, then renamed), the terminal
// takes it, and its answer appears in res/ under the same name with req→res (.xml, .pdf, or .zip for a
// second phase), or, when the terminal could not handle the request, as <request base>.err beside a copy of
// the request.
//
// Exactly once across crashes. The request file's name comes from the call's request id, which the Outbox
// stored before the first attempt, and a row in store::TerminalRequests is made before the file is put into
// req/. So after a restart the same queued call finds its own name: an answer already in res/ is consumed; a
// file still in req/ is waited for; a temporary file not yet renamed is renamed; and a name with a row that
// is in neither folder was taken by the terminal — it is waited for and never written again. Answers of
// queued calls stay in res/ until the queue has recorded the outcome (the sweep then removes them), so a crash
// between reading an answer and recording it only means reading it again.
//
// No answer in time: a file the terminal never took is withdrawn (renamed back to its hidden name, which fails
// if the terminal took it meanwhile) and the call comes back Unreachable, to be sent again later under the
// same name. A file taken but never answered is a final failure: it was delivered, and sending it again could
// act twice.
//
// At most `concurrency` request files are at the terminal at once, whoever sends them (the Dispatcher's
// queued calls, polls, consent lists, medical information): the terminal answers a limited number at a time.
// One thread lists req/ and res/ every `poll` while anyone waits; waiters look at its listings, so twenty
// waiting calls cost one listing per interval, not twenty.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "store/terminal_requests.hpp"
#include "upstream/central_client.hpp"
#include "upstream/link_health.hpp"
#include "upstream/share_folder.hpp"

namespace kh::upstream {

struct TerminalOptions {
    int concurrency = 20;                            // request files at the terminal at once
    std::chrono::milliseconds answerTimeout{60000};  // from hand-over to the answer
    std::chrono::milliseconds poll{200};             // how often req/ and res/ are listed while waiting
    size_t maxAnswerBytes = 64u * 1024 * 1024;
    // Where the link's state goes (may be null): an answer read or a probe's listing is a success; a share
    // that cannot be listed, a request never taken and an answer that never came are failures.
    LinkHealth* health = nullptr;
};

struct TerminalAnswer {
    enum class Kind { Xml, Pdf, Err };
    Kind kind = Kind::Xml;
    std::string bytes;     // the result document (from inside a .zip too), the PDF, or the .err text
    std::string fileName;  // as it came: …res_<id>.xml / .pdf / .zip, or …req_<id>.err
};

class TerminalExchange {
public:
    TerminalExchange(ShareFolder& share, store::TerminalRequests& ledger, TerminalOptions options);
    ~TerminalExchange();
    TerminalExchange(const TerminalExchange&) = delete;
    TerminalExchange& operator=(const TerminalExchange&) = delete;

    void start();  // the listing and sweeping thread
    void stop();   // ends every wait under way: those calls come back Unreachable

    // One request file (`prefix`: OQSsiquc01, YZKsiquc01, …) and its answer. `durable`: a queued call, sent
    // again after a restart under the same request id; its answer files stay until its outcome is recorded.
    // Otherwise (polls and other calls made afresh each time) they are removed as soon as they are read.
    // Refused only for a final failure (taken, never answered; an answer that cannot be read); a .err is an
    // answer of kind Err.
    Outcome<TerminalAnswer> exchange(const std::string& requestId, const std::string& prefix, const std::string& document,
                                     bool durable, SendTurn* turn);
    // Lists req/, res/ and face/.
    Outcome<bool> probe();
    // Waits `d` between two polls of a second phase; false once the exchange stops.
    bool pause(std::chrono::milliseconds d);

    // <prefix>req_<id>.xml, the id being the request id's letters and digits (a UUIDv7's hex: ids made in
    // queue order sort in queue order, and the terminal takes files in name order).
    static std::string requestFileName(const std::string& prefix, const std::string& requestId);

    ShareFolder& share() { return share_; }
    int inFlight();
    int maxInFlight();
    const TerminalOptions& options() const { return options_; }

private:
    struct Listing {
        uint64_t generation = 0;
        bool ok = false;
        std::string error;
        std::map<std::string, ShareEntry> req, res;
    };
    struct Names;
    class Permit;

    using ListingPtr = std::shared_ptr<const Listing>;

    void watch();
    Listing listNow();
    // The next listing after `seen`; the latest one when `deadline` passes first or the exchange stops.
    ListingPtr awaitListing(uint64_t seen, std::chrono::steady_clock::time_point deadline);
    Outcome<TerminalAnswer> await(const Names& n, bool durable, uint64_t seen);
    template <typename T>
    Outcome<T> reported(Outcome<T> o);
    Outcome<TerminalAnswer> run(const std::string& requestId, const std::string& prefix, const std::string& document,
                                bool durable, SendTurn* turn);
    std::optional<TerminalAnswer> consume(const Names& n, const std::string& file, TerminalAnswer::Kind kind, uint64_t& seen);
    void forgetAnswer(const Names& n, const std::string& file, bool withCopy);
    void sweep(const Listing& listing);
    bool stopping();

    ShareFolder& share_;
    store::TerminalRequests& ledger_;
    TerminalOptions options_;
    std::mutex mutex_;
    std::condition_variable wake_, listed_, permits_, stopped_;
    bool stopping_ = false;
    int waiters_ = 0;
    int inUse_ = 0, maxInUse_ = 0;
    ListingPtr latest_ = std::make_shared<const Listing>();  // shared with the waiters, never changed
    std::set<std::string> active_;  // request ids of exchanges under way: the sweep leaves their files alone
    std::thread watcher_;
};

}  // namespace kh::upstream
