// A request body handed from the network thread to a handler on a worker as a std::istream (a firmware
// bundle streamed to disk). At most a few parts wait in it: the network thread reads the next part only
// when the handler has taken one, so a large upload never sits in memory. A connection that breaks or
// times out ends the stream early; the handler sees fewer bytes than announced.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <istream>
#include <mutex>
#include <streambuf>
#include <string>

namespace kh::http {

class BodyPipe : private std::streambuf {
public:
    // `wantMore` is called (from the handler's thread) when a part was taken and the pipe had been full.
    explicit BodyPipe(std::function<void()> wantMore, size_t maxParts = 4);
    std::istream& stream() { return stream_; }

    // Network side. push() returns false when the pipe is full now (stop reading until wantMore).
    bool push(std::string part);
    void finish();  // the body is complete
    void fail();    // the connection broke: the handler's stream ends here
    bool complete() const;  // finished (not failed) and every part taken

private:
    int_type underflow() override;

    std::function<void()> wantMore_;
    size_t maxParts_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::string> parts_;
    std::string current_;
    bool finished_ = false, failed_ = false, paused_ = false;
    std::istream stream_;
};

}  // namespace kh::http
