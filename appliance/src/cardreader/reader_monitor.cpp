#include "cardreader/reader_monitor.hpp"

#include <PCSC/pcsclite.h>

#include <algorithm>
#include <cstdio>

#include "base/log.hpp"
#include "cardreader/pcsc.hpp"

namespace kh::cardreader {
namespace {

constexpr DWORD kLookMillis = 2000;  // a look ends at least this often, so a stop never waits long

std::string hexAtr(const SCARD_READERSTATE& s) {
    std::string out;
    char b[4];
    for (DWORD i = 0; i < s.cbAtr && i < sizeof s.rgbAtr; ++i) {
        std::snprintf(b, sizeof b, "%02X", s.rgbAtr[i]);
        out += b;
    }
    return out;
}

ReaderInfo describe(const std::string& name, const SCARD_READERSTATE& s) {
    ReaderInfo r;
    r.name = name;
    r.cardPresent = (s.dwEventState & SCARD_STATE_PRESENT) != 0;
    r.inUse = (s.dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
    r.mute = (s.dwEventState & SCARD_STATE_MUTE) != 0;
    if (r.cardPresent) r.atr = hexAtr(s);
    r.cardEvents = uint32_t(s.dwEventState >> 16);
    return r;
}

}  // namespace

const ReaderInfo* ReaderSnapshot::find(const std::string& name) const {
    for (const auto& r : readers)
        if (r.name == name) return &r;
    return nullptr;
}

void ReaderMonitor::start() {
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void ReaderMonitor::stop() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        if (watching_) SCardCancel(watching_);
        changed_.notify_all();
    }
    thread_.join();
}

ReaderSnapshot ReaderMonitor::snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return snapshot_;
}

ReaderSnapshot ReaderMonitor::waitForChange(uint64_t seen, std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return snapshot_.generation > seen || stopping_; });
    return snapshot_;
}

void ReaderMonitor::waitUntilKnown(std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return known_ || stopping_; });
}

void ReaderMonitor::publish(bool serviceUp, const std::string& problem, std::vector<ReaderInfo> readers) {
    std::lock_guard<std::mutex> lock(mutex_);
    bool same = known_ && snapshot_.serviceUp == serviceUp && snapshot_.readers.size() == readers.size() &&
                std::equal(readers.begin(), readers.end(), snapshot_.readers.begin(), [](const auto& a, const auto& b) {
                    return a.name == b.name && a.cardPresent == b.cardPresent && a.inUse == b.inUse &&
                           a.mute == b.mute && a.cardEvents == b.cardEvents;
                });
    if (same) return;
    if (snapshot_.serviceUp != serviceUp || !known_)
        log::info(serviceUp ? "cardreader.service_up" : "cardreader.service_down", {{"readers", std::to_string(readers.size())}});
    snapshot_.serviceUp = serviceUp;
    snapshot_.problem = problem;
    snapshot_.readers = std::move(readers);
    ++snapshot_.generation;
    known_ = true;
    changed_.notify_all();
    changes_.notify();
}

bool ReaderMonitor::sleepUnlessStopped(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, d, [&] { return stopping_.load(); });
    return !stopping_;
}

// Establish, watch until the service is lost, release, wait (200 ms doubling to 5 s), again.
void ReaderMonitor::run() {
    auto backoff = std::chrono::milliseconds(200);
    while (!stopping_) {
        SCARDCONTEXT context = 0;
        LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context);
        if (rv == SCARD_S_SUCCESS) {
            backoff = std::chrono::milliseconds(200);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                watching_ = context;
            }
            bool lost = !watch(context);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                watching_ = 0;
            }
            SCardReleaseContext(context);
            if (!lost) return;  // stopped
            publish(false, "pcscd との接続が切れました。再接続しています", {});
        } else {
            publish(false, std::string("pcscd に接続できません: ") + pcsc_stringify_error(rv), {});
        }
        if (!sleepUnlessStopped(backoff)) return;
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
}

bool ReaderMonitor::watch(SCARDCONTEXT context) {
    std::vector<std::string> names;
    std::vector<SCARD_READERSTATE> states;
    bool relist = true;
    while (!stopping_) {
        if (relist) {
            DWORD size = 0;
            LONG rv = SCardListReaders(context, nullptr, nullptr, &size);
            names.clear();
            if (rv == SCARD_S_SUCCESS) {
                std::string buf(size, '\0');
                rv = SCardListReaders(context, nullptr, buf.data(), &size);
                for (const char* p = buf.c_str(); rv == SCARD_S_SUCCESS && *p; p += names.back().size() + 1)
                    names.emplace_back(p);
            }
            if (rv != SCARD_S_SUCCESS && rv != SCARD_E_NO_READERS_AVAILABLE) {
                if (serviceLost(rv)) return false;
                log::warn("cardreader.list_failed", {{"error", pcsc_stringify_error(rv)}});
            }
            DWORD pnpState = states.empty() ? SCARD_STATE_UNAWARE : states.back().dwEventState;
            states.assign(names.size() + 1, SCARD_READERSTATE{});
            for (size_t i = 0; i < names.size(); ++i) {
                states[i].szReader = names[i].c_str();
                states[i].dwCurrentState = SCARD_STATE_UNAWARE;
            }
            states.back().szReader = kPnpNotification;
            states.back().dwCurrentState = pnpState & ~DWORD(SCARD_STATE_CHANGED);
            relist = false;
            // With no reader, only a PnP event would end the next wait: say at once that there is none.
            if (names.empty()) publish(true, "", {});
        }
        LONG rv = SCardGetStatusChange(context, kLookMillis, states.data(), DWORD(states.size()));
        if (rv == SCARD_E_CANCELLED) return true;
        if (serviceLost(rv)) return false;
        if (rv == SCARD_E_UNKNOWN_READER || rv == SCARD_E_READER_UNAVAILABLE) {
            relist = true;
            continue;
        }
        if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
            log::warn("cardreader.watch_failed", {{"error", pcsc_stringify_error(rv)}});
            if (!sleepUnlessStopped(std::chrono::milliseconds(500))) return true;
            relist = true;
            continue;
        }
        std::vector<ReaderInfo> readers;
        for (size_t i = 0; i < names.size(); ++i) {
            if (states[i].dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE)) relist = true;
            readers.push_back(describe(names[i], states[i]));
            states[i].dwCurrentState = states[i].dwEventState & ~DWORD(SCARD_STATE_CHANGED);
        }
        if (states.back().dwEventState & SCARD_STATE_CHANGED) relist = true;
        states.back().dwCurrentState = states.back().dwEventState & ~DWORD(SCARD_STATE_CHANGED);
        if (!relist || rv == SCARD_S_SUCCESS) publish(true, "", std::move(readers));
    }
    return true;
}

}  // namespace kh::cardreader
