#include "endpoint/folder_watch.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

#include "base/log.hpp"

namespace kh::endpoint {

FolderWatch::FolderWatch(std::function<void()> onActivity) : onActivity_(std::move(onActivity)) {
    inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    stop_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (inotify_ < 0 || stop_ < 0) {
        log::warn("file.watch_unavailable", {{"error", std::to_string(errno)}});  // the periodic scan still runs
        return;
    }
    thread_ = std::thread([this] { run(); });
}

FolderWatch::~FolderWatch() {
    stop();
    if (inotify_ >= 0) ::close(inotify_);
    if (stop_ >= 0) ::close(stop_);
}

void FolderWatch::stop() {
    if (stop_ >= 0) {
        uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(stop_, &one, sizeof one);
    }
    if (thread_.joinable()) thread_.join();
}

void FolderWatch::watch(const std::string& dir) {
    if (inotify_ < 0) return;
    std::lock_guard<std::mutex> l(mutex_);
    // The same folder returns the same watch; a folder made anew gets a new one.
    ::inotify_add_watch(inotify_, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW);
}

void FolderWatch::run() {
    alignas(inotify_event) char buf[16384];
    for (;;) {
        pollfd fds[2] = {{inotify_, POLLIN, 0}, {stop_, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents) return;
        bool any = false;
        while (::read(inotify_, buf, sizeof buf) > 0) any = true;  // drain; the pass rescans the folder
        if (any) onActivity_();
    }
}

}  // namespace kh::endpoint
