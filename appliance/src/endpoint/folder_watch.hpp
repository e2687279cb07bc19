// Kernel notice of files in the share's inboxes: a file closed after writing (IN_CLOSE_WRITE) or moved
// in (IN_MOVED_TO) wakes the channel at once, so a receipt computer's request is answered in
// milliseconds rather than at the next scan. The periodic scan stays as the fallback for anything the
// kernel does not report (files there before the start, an overflowing event queue, a folder made anew).
#pragma once
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace kh::endpoint {

class FolderWatch {
public:
    explicit FolderWatch(std::function<void()> onActivity);
    ~FolderWatch();
    FolderWatch(const FolderWatch&) = delete;
    FolderWatch& operator=(const FolderWatch&) = delete;

    // Watches `dir` (again after it was removed and made anew); cheap to call on every pass.
    void watch(const std::string& dir);
    void stop();

private:
    void run();

    std::function<void()> onActivity_;
    int inotify_ = -1;
    int stop_ = -1;  // eventfd that ends the thread
    std::mutex mutex_;
    std::thread thread_;
};

}  // namespace kh::endpoint
