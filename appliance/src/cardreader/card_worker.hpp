// Card I/O off the caller's thread, with a watchdog: SCardTransmit takes no timeout, so a card or reader
// that stops answering would hold an HTTP request forever. A job that overruns its deadline is reported
// as Timeout; it keeps running on the worker, which takes the next job only when that one returns.
// A job must own what it touches (capture by value or shared_ptr): it may outlive the caller's wait.
#pragma once
#include <chrono>
#include <functional>
#include <memory>

namespace kh::cardreader {

class CardWorker {
public:
    CardWorker();
    ~CardWorker();  // joins when idle; a job stuck in the card is left to finish on its own
    CardWorker(const CardWorker&) = delete;
    CardWorker& operator=(const CardWorker&) = delete;

    // Runs `job` on the worker thread. Rethrows what the job threw; throws CardException(Timeout) when
    // the deadline passes first.
    void run(std::function<void()> job, std::chrono::milliseconds deadline);

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace kh::cardreader
