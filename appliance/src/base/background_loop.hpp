// A task run again and again on its own thread: every `interval`, or sooner when poked, until stopped.
// Used by the parts that watch for work (the file channel, the batch poller).
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace kh::base {

class BackgroundLoop {
public:
    ~BackgroundLoop() { stop(); }
    // `pass` must not throw; the loop logs nothing itself.
    void start(std::chrono::milliseconds interval, std::function<void()> pass);
    void poke();
    void stop();
    bool stopping();
    // For a pass that waits for something: sleeps `d`, or less when stopped. False once stopping.
    bool sleepUnlessStopped(std::chrono::milliseconds d);

private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false, poked_ = false;
    std::thread thread_;
};

}  // namespace kh::base
