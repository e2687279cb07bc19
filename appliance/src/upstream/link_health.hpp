// What the box knows of its link to the central system (or to the terminal's share), for the dashboard, the
// metrics and the certificate trial: the outcome of the last real exchange and of the light probe that runs
// when nothing else went over the link for a while (a TLS handshake, the share's listing). A link is "up"
// only once something came back over it; until then it is "unknown", never "connected" by default.
//
// Epochs: a change of the link's configuration (a new client certificate or central CA) starts a new epoch.
// An exchange reports the epoch it started in, so an answer that was already under way with the old
// certificate does not count as proof that the new one works.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace kh::upstream {

struct LinkReport {
    enum class State { Unknown, Up, Down };
    State state = State::Unknown;
    int64_t lastSuccessAt = 0;  // unix seconds; 0: never
    int64_t lastFailureAt = 0;
    std::string lastFailure;    // why, in Japanese, for IT staff (never patient data)
    int64_t changedAt = 0;      // when the current epoch began (0: the configuration as at start)
    bool verifiedSinceChange = false;  // something came back over the link as configured now
};

const char* linkStateName(LinkReport::State s);  // unknown | up | down

class LinkHealth {
public:
    uint64_t epoch() const;
    void succeeded(uint64_t epoch);
    void failed(uint64_t epoch, const std::string& reason);
    // The configuration changed: what was learnt so far is of the old one. Asks for a probe at once.
    void changed();
    LinkReport report() const;
    // Seconds since anything (a success or a failure) was last learnt; a large number when never.
    int64_t quietSeconds() const;
    // The prober's wake-up (set once at start): a probe is wanted now.
    void onProbeWanted(std::function<void()> wake);

private:
    mutable std::mutex mutex_;
    uint64_t epoch_ = 0;
    LinkReport report_;
    int64_t lastLearntAt_ = 0;
    std::function<void()> wake_;
};

}  // namespace kh::upstream
