// The request files written to the 資格確認端末's share (upstream profile "terminal"), one row per request id.
// What makes a resend after a crash safe: a name that has a row was written, so when it is in neither req/
// nor res/ the terminal has taken it (wait for its answer), and it is never written a second time.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct TerminalRequest {
    std::string requestId;
    std::string fileName;  // <prefix>req_<id>.xml: no patient data
    int64_t writtenAt = 0;
};

class TerminalRequests {
public:
    explicit TerminalRequests(Store& store) : store_(store) {}
    std::optional<TerminalRequest> find(const std::string& requestId);
    void record(const std::string& requestId, const std::string& fileName);  // durable when it returns
    void forget(const std::string& requestId);
    // Rows nobody will ask about again, oldest first: their queued call is finished (done or failed), or
    // they belong to no queued call (polls, lists, medical information) and were written before
    // `unqueuedBefore` (unix seconds). Their files on the share may be removed.
    std::vector<TerminalRequest> settled(int64_t unqueuedBefore, size_t limit);

private:
    Store& store_;
};

}  // namespace kh::store
