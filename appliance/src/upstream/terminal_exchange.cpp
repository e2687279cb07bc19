#include "upstream/terminal_exchange.hpp"

#include <algorithm>
#include <cctype>

#include "base/log.hpp"
#include "spec/xml.hpp"
#include "upstream/zip_reader.hpp"

namespace kh::upstream {
namespace {
using Clock = std::chrono::steady_clock;

constexpr auto kSweepEvery = std::chrono::seconds(2);
constexpr auto kCopyWait = std::chrono::seconds(2);  // for the request copy that comes with a .err
constexpr size_t kSweepBatch = 200;
constexpr const char* kTempSuffix = ".kakehashi-tmp";

const char* kStopping = "Kakehashi が停止するため、資格確認端末の結果を待つのをやめました";

bool isXml(const std::string& bytes) {
    try {
        spec::parseXml(bytes);
        return true;
    } catch (const std::exception&) {
        return false;  // not whole yet (written in place), or damaged
    }
}

// A PDF written whole ends with %%EOF (and perhaps a line end or two).
bool isWholePdf(const std::string& bytes) {
    if (bytes.compare(0, 5, "%PDF-") != 0) return false;
    size_t from = bytes.size() > 2048 ? bytes.size() - 2048 : 0;
    return bytes.find("%%EOF", from) != std::string::npos;
}

bool endsWithXml(const std::string& name) {
    if (name.size() < 4) return false;
    std::string tail = name.substr(name.size() - 4);
    std::transform(tail.begin(), tail.end(), tail.begin(), ::tolower);
    return tail == ".xml";
}
}  // namespace

struct TerminalExchange::Names {
    std::string requestId;
    std::string request;  // <prefix>req_<id>.xml, in req/ (and its copy in res/ beside a .err)
    std::string temp;     // .<request>.kakehashi-tmp, in req/ until renamed
    std::string resBase;  // <prefix>res_<id>: .xml, .pdf or .zip in res/
    std::string err;      // <prefix>req_<id>.err in res/
    std::string resPrefix;

    static Names of(const std::string& requestId, const std::string& request) {
        Names n;
        n.requestId = requestId;
        n.request = request;
        n.temp = "." + request + kTempSuffix;
        auto at = request.find("req_");
        std::string prefix = request.substr(0, at), id = request.substr(at + 4, request.size() - at - 4 - 4);
        n.resPrefix = prefix + "res_";
        n.resBase = n.resPrefix + id;
        n.err = prefix + "req_" + id + ".err";
        return n;
    }
};

// One of the `concurrency` places at the terminal, held from writing the request to reading the answer.
class TerminalExchange::Permit {
public:
    explicit Permit(TerminalExchange& x) : x_(x) {
        std::unique_lock<std::mutex> l(x_.mutex_);
        x_.permits_.wait(l, [&] { return x_.stopping_ || x_.inUse_ < x_.options_.concurrency; });
        if (x_.stopping_) return;
        held_ = true;
        x_.maxInUse_ = std::max(x_.maxInUse_, ++x_.inUse_);
    }
    ~Permit() {
        if (!held_) return;
        std::lock_guard<std::mutex> l(x_.mutex_);
        --x_.inUse_;
        x_.permits_.notify_one();
    }
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    explicit operator bool() const { return held_; }

private:
    TerminalExchange& x_;
    bool held_ = false;
};

TerminalExchange::TerminalExchange(ShareFolder& share, store::TerminalRequests& ledger, TerminalOptions options)
    : share_(share), ledger_(ledger), options_(options) {
    options_.concurrency = std::max(1, options_.concurrency);
    if (options_.poll.count() < 10) options_.poll = std::chrono::milliseconds(10);
}

TerminalExchange::~TerminalExchange() { stop(); }

void TerminalExchange::start() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        stopping_ = false;
    }
    watcher_ = std::thread([this] { watch(); });
}

void TerminalExchange::stop() {
    {
        std::lock_guard<std::mutex> l(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    listed_.notify_all();
    permits_.notify_all();
    stopped_.notify_all();
    if (watcher_.joinable()) watcher_.join();
}

bool TerminalExchange::pause(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> l(mutex_);
    return !stopped_.wait_for(l, d, [&] { return stopping_; });
}

bool TerminalExchange::stopping() {
    std::lock_guard<std::mutex> l(mutex_);
    return stopping_;
}

int TerminalExchange::inFlight() {
    std::lock_guard<std::mutex> l(mutex_);
    return inUse_;
}

int TerminalExchange::maxInFlight() {
    std::lock_guard<std::mutex> l(mutex_);
    return maxInUse_;
}

std::string TerminalExchange::requestFileName(const std::string& prefix, const std::string& requestId) {
    std::string id;
    for (char c : requestId)
        if (std::isalnum(static_cast<unsigned char>(c))) id += char(std::tolower(static_cast<unsigned char>(c)));
    return prefix + "req_" + id + ".xml";
}

TerminalExchange::Listing TerminalExchange::listNow() {
    Listing l;
    try {
        for (auto& e : share_.list("req")) l.req.emplace(e.name, e);
        for (auto& e : share_.list("res")) l.res.emplace(e.name, e);
        l.ok = true;
    } catch (const ShareUnavailable& e) {
        l.error = e.what();
    }
    return l;
}

// Lists while anyone waits (every `poll`), and every few seconds removes the files of finished requests.
void TerminalExchange::watch() {
    auto nextSweep = Clock::now();
    std::unique_lock<std::mutex> l(mutex_);
    while (!stopping_) {
        bool wanted = waiters_ > 0;
        bool sweepDue = Clock::now() >= nextSweep;
        if (!wanted && !sweepDue) {
            wake_.wait_until(l, nextSweep, [&] { return stopping_ || waiters_ > 0; });
            continue;
        }
        l.unlock();
        Listing fresh = listNow();
        if (sweepDue && fresh.ok) sweep(fresh);
        l.lock();
        fresh.generation = latest_->generation + 1;
        latest_ = std::make_shared<const Listing>(std::move(fresh));
        listed_.notify_all();
        if (sweepDue) nextSweep = Clock::now() + kSweepEvery;
        if (waiters_ > 0) wake_.wait_for(l, options_.poll, [&] { return stopping_; });
    }
    listed_.notify_all();
}

TerminalExchange::ListingPtr TerminalExchange::awaitListing(uint64_t seen, Clock::time_point deadline) {
    std::unique_lock<std::mutex> l(mutex_);
    ++waiters_;
    wake_.notify_all();
    listed_.wait_until(l, deadline, [&] { return stopping_ || latest_->generation > seen; });
    --waiters_;
    return latest_;
}

// Removes what requests that are finished left on the share: answers, .err with their request copies, and
// requests nobody waits for any more. Never the files of an exchange under way.
void TerminalExchange::sweep(const Listing& listing) {
    std::vector<store::TerminalRequest> rows;
    try {
        auto unqueuedBefore = store::nowSeconds() - int64_t(options_.answerTimeout.count() / 1000) - 60;
        rows = ledger_.settled(unqueuedBefore, kSweepBatch);
    } catch (const std::exception& e) {
        log::error("terminal.sweep_failed", {{"error", e.what()}});
        return;
    }
    for (const auto& row : rows) {
        {
            std::lock_guard<std::mutex> l(mutex_);
            if (active_.count(row.requestId)) continue;
        }
        if (row.fileName.find("req_") == std::string::npos) continue;
        Names n = Names::of(row.requestId, row.fileName);
        try {
            for (const auto& name : {n.resBase + ".xml", n.resBase + ".pdf", n.resBase + ".zip", n.err, n.request})
                if (listing.res.count(name)) share_.remove("res", name);
            for (const auto& name : {n.request, n.temp})
                if (listing.req.count(name)) share_.remove("req", name);
            ledger_.forget(row.requestId);
        } catch (const std::exception& e) {
            log::warn("terminal.sweep_failed", {{"error", e.what()}});
            return;  // the share went away: the next sweep goes on
        }
    }
}

template <typename T>
Outcome<T> TerminalExchange::reported(Outcome<T> o) {
    if (options_.health && !(stopping() && !o.ok())) {
        const uint64_t epoch = options_.health->epoch();
        if (o.ok()) options_.health->succeeded(epoch);
        else options_.health->failed(epoch, o.failure.message);
    }
    return o;
}

Outcome<bool> TerminalExchange::probe() {
    try {
        for (const char* folder : {"req", "res", "face"}) share_.list(folder);
        return reported(Outcome<bool>::of(true));
    } catch (const ShareUnavailable& e) {
        return reported(Outcome<bool>::unreachable(e.what()));
    }
}

Outcome<TerminalAnswer> TerminalExchange::exchange(const std::string& requestId, const std::string& prefix,
                                                   const std::string& document, bool durable, SendTurn* turn) {
    return reported(run(requestId, prefix, document, durable, turn));
}

Outcome<TerminalAnswer> TerminalExchange::run(const std::string& requestId, const std::string& prefix,
                                              const std::string& document, bool durable, SendTurn* turn) {
    const Names n = Names::of(requestId, requestFileName(prefix, requestId));
    struct Active {  // the sweep leaves this request's files alone while it runs
        TerminalExchange& x;
        std::string id;
        Active(TerminalExchange& e, std::string i) : x(e), id(std::move(i)) {
            std::lock_guard<std::mutex> l(x.mutex_);
            x.active_.insert(id);
        }
        ~Active() {
            std::lock_guard<std::mutex> l(x.mutex_);
            x.active_.erase(id);
        }
    } active(*this, requestId);
    Permit permit(*this);
    if (!permit) return Outcome<TerminalAnswer>::unreachable(kStopping);
    auto handOver = [turn] {
        if (turn) turn->handedOver();
    };
    try {
        uint64_t seen;
        {
            std::lock_guard<std::mutex> l(mutex_);
            seen = latest_->generation;
        }
        if (!ledger_.find(requestId)) {
            // Never written (or withdrawn): hidden name first, the row, then the name the terminal takes.
            share_.write("req", n.temp, document);
            ledger_.record(requestId, n.request);
            if (!share_.rename("req", n.temp, n.request))
                return Outcome<TerminalAnswer>::unreachable("資格確認端末の共有フォルダ: 書いた一時ファイルが消えました");
            handOver();
            return await(n, durable, seen);
        }
        // Written before (an earlier attempt, perhaps before a restart): see where it is now.
        ListingPtr now = awaitListing(seen, Clock::now() + options_.answerTimeout);
        if (stopping()) return Outcome<TerminalAnswer>::unreachable(kStopping);
        if (!now->ok) return Outcome<TerminalAnswer>::unreachable(now->error);
        if (!now->req.count(n.request) && now->req.count(n.temp) && !share_.rename("req", n.temp, n.request))
            return Outcome<TerminalAnswer>::unreachable("資格確認端末の共有フォルダ: 書いた一時ファイルが消えました");
        handOver();
        return await(n, durable, now->generation - 1);  // this listing is looked at again for an answer
    } catch (const ShareUnavailable& e) {
        return Outcome<TerminalAnswer>::unreachable(e.what());
    } catch (const std::exception& e) {  // the store: nothing was handed over that is not recorded
        log::error("terminal.exchange_failed", {{"error", e.what()}});
        return Outcome<TerminalAnswer>::unreachable(std::string("記録できませんでした: ") + e.what());
    }
}

Outcome<TerminalAnswer> TerminalExchange::await(const Names& n, bool durable, uint64_t seen) {
    using Kind = TerminalAnswer::Kind;
    const std::pair<std::string, Kind> candidates[] = {
        {n.resBase + ".xml", Kind::Xml}, {n.resBase + ".pdf", Kind::Pdf}, {n.resBase + ".zip", Kind::Xml}, {n.err, Kind::Err}};
    auto deadline = Clock::now() + options_.answerTimeout;
    bool extended = false;
    std::map<std::string, std::pair<int64_t, int64_t>> previous;  // size and time of each answer last seen
    std::string unreadable;
    for (;;) {
        ListingPtr l = awaitListing(seen, deadline);
        if (stopping()) return Outcome<TerminalAnswer>::unreachable(kStopping);
        if (l->generation > seen) {
            seen = l->generation;
            if (!l->ok) return Outcome<TerminalAnswer>::unreachable(l->error);
            for (const auto& [file, kind] : candidates) {
                auto it = l->res.find(file);
                if (it == l->res.end()) continue;
                // Read only once it has stopped changing: a terminal may write its answer in place.
                std::pair<int64_t, int64_t> shape{it->second.size, it->second.mtimeNanos};
                bool settled = previous.count(file) && previous[file] == shape;
                previous[file] = shape;
                if (!settled) continue;
                auto answer = consume(n, file, kind, seen);
                if (!answer) {
                    unreadable = file;
                    continue;
                }
                if (!durable) forgetAnswer(n, file, kind == Kind::Err);
                return Outcome<TerminalAnswer>::of(std::move(*answer));
            }
        }
        if (Clock::now() < deadline) continue;
        if (!unreadable.empty())
            return Outcome<TerminalAnswer>::refused("", "資格確認端末の結果ファイル " + unreadable + " を読めませんでした");
        if (!l->ok) return Outcome<TerminalAnswer>::unreachable(l->error);
        if (l->req.count(n.request)) {
            // Never taken: withdraw it (fails when the terminal takes it this moment) and try again later.
            if (share_.rename("req", n.request, n.temp)) {
                ledger_.forget(n.requestId);
                share_.remove("req", n.temp);
                return Outcome<TerminalAnswer>::unreachable(
                    "資格確認端末が要求ファイルを時間内に受け取りませんでした（端末の連携アプリケーションが動いているか確認してください）");
            }
            if (!extended) {  // taken as we looked: it gets one full period for its answer
                extended = true;
                deadline = Clock::now() + options_.answerTimeout;
                continue;
            }
        }
        return Outcome<TerminalAnswer>::refused(
            "", "資格確認端末は要求ファイル " + n.request + " を受け取りましたが、" +
                    std::to_string(options_.answerTimeout.count() / 1000) +
                    " 秒以内に結果を返しませんでした。二重の処理を避けるため再送しません。端末の状態を確認してください");
    }
}

// A call made afresh each time has no use for its answer once read: it goes at once (with the request copy
// of a .err). Should the share fail now, the row stays and the sweep removes the files later.
void TerminalExchange::forgetAnswer(const Names& n, const std::string& file, bool withCopy) {
    try {
        share_.remove("res", file);
        if (withCopy) share_.remove("res", n.request);
        ledger_.forget(n.requestId);
    } catch (const std::exception& e) {
        log::warn("terminal.cleanup_failed", {{"error", e.what()}});
    }
}

std::optional<TerminalAnswer> TerminalExchange::consume(const Names& n, const std::string& file, TerminalAnswer::Kind kind,
                                                        uint64_t& seen) {
    auto bytes = share_.read("res", file, options_.maxAnswerBytes);
    if (!bytes) return std::nullopt;
    TerminalAnswer a{kind, std::move(*bytes), file};
    if (kind == TerminalAnswer::Kind::Pdf) return isWholePdf(a.bytes) ? std::optional<TerminalAnswer>(std::move(a)) : std::nullopt;
    if (kind == TerminalAnswer::Kind::Err) {
        // The terminal leaves a copy of the request beside the .err, perhaps a moment later: wait for it, so
        // that it goes with the .err and is not left behind.
        auto until = Clock::now() + kCopyWait;
        while (Clock::now() < until) {
            ListingPtr l = awaitListing(seen, until);
            seen = std::max(seen, l->generation);
            if (!l->ok || l->res.count(n.request) || stopping()) break;
        }
        return a;
    }
    if (file.size() > 4 && file.compare(file.size() - 4, 4, ".zip") == 0) {
        try {
            ZipReader zip(a.bytes);
            std::string chosen;
            for (const auto& name : zip.names())  // the result by its name first, else the first XML in it
                if (name.compare(0, n.resPrefix.size(), n.resPrefix) == 0 && endsWithXml(name)) {
                    chosen = name;
                    break;
                }
            if (chosen.empty())
                for (const auto& name : zip.names())
                    if (endsWithXml(name)) {
                        chosen = name;
                        break;
                    }
            if (chosen.empty()) return std::nullopt;
            std::string xml = zip.extract(chosen, options_.maxAnswerBytes);
            a.bytes = std::move(xml);
        } catch (const BadZip&) {
            return std::nullopt;
        }
    }
    return isXml(a.bytes) ? std::optional<TerminalAnswer>(std::move(a)) : std::nullopt;
}

}  // namespace kh::upstream
