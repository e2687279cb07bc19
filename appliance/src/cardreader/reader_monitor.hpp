// Watches the card readers on its own thread: readers attached and detached (the PnP notification
// reader), cards inserted and removed (SCardGetStatusChange with a timeout, cancelled on stop), and
// pcscd going away — then the context is made anew with backoff until the service is back.
// Everyone else reads snapshots; waiters are woken on every change.
#pragma once
#include "base/signal.hpp"
#include <PCSC/winscard.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kh::cardreader {

struct ReaderInfo {
    std::string name;
    bool cardPresent = false;
    bool inUse = false;        // another application has the card open
    bool mute = false;         // a card that does not answer (upside down, not a smart card)
    std::string atr;           // hex, while a card is present
    uint32_t cardEvents = 0;   // insertions and removals counted by pcscd: a swap between looks shows here
};

struct ReaderSnapshot {
    bool serviceUp = false;
    std::string problem;      // why the service is down, for the staff page
    std::vector<ReaderInfo> readers;
    uint64_t generation = 0;  // grows on every change
    const ReaderInfo* find(const std::string& name) const;
};

// What the users of the readers see: snapshots, and the next one. ReaderMonitor is the box's; a test of
// what is built on the readers supplies its own.
class ReaderWatch {
public:
    virtual ~ReaderWatch() = default;
    virtual ReaderSnapshot snapshot() const = 0;
    // Returns as soon as the generation passes `seen`, or at the timeout with the current snapshot.
    virtual ReaderSnapshot waitForChange(uint64_t seen, std::chrono::milliseconds timeout) const = 0;
    // Fires on every change of the snapshot (and at stop): what long polls wait on without a thread.
    virtual base::Signal& changes() = 0;
};

class ReaderMonitor : public ReaderWatch {
public:
    ReaderMonitor() = default;
    ~ReaderMonitor() override { stop(); }
    void start();
    void stop();
    ReaderSnapshot snapshot() const override;
    ReaderSnapshot waitForChange(uint64_t seen, std::chrono::milliseconds timeout) const override;
    base::Signal& changes() override { return changes_; }
    // Waits until the first look at the readers is done (or the service is known to be down).
    void waitUntilKnown(std::chrono::milliseconds timeout) const;

private:
    void run();
    bool watch(SCARDCONTEXT context);  // false when the service was lost
    void publish(bool serviceUp, const std::string& problem, std::vector<ReaderInfo> readers);
    bool sleepUnlessStopped(std::chrono::milliseconds d);

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    base::Signal changes_;
    ReaderSnapshot snapshot_;
    bool known_ = false;
    std::atomic<bool> stopping_{false};
    SCARDCONTEXT watching_ = 0;  // the context a stop cancels (pcsc-lite: the same context that waits)
    std::thread thread_;
};

}  // namespace kh::cardreader
