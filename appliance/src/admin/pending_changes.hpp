// Changes that could cut the box off the network (a new client certificate or central CA) are put to
// use at once and must then be confirmed within a window (90 s): if nobody confirms — because the
// change broke the very link the administrator is watching, or the browser is gone — it is rolled back
// by itself. Stopping the gateway also rolls back what is unconfirmed. A change may also name its proof:
// a certificate may be kept only once something came back over the link with it, so a change that broke
// the link cannot be locked in by a click.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/audit_log.hpp"

namespace kh::admin {

struct PendingChange {
    std::string id, what, actor;
    int64_t appliedAt = 0, deadline = 0;  // unix seconds
    std::string unproven;  // why it may not be confirmed yet (Japanese); empty: it may
};

// Empty when the change has shown that it works; otherwise what it still waits for, in Japanese.
using ChangeProof = std::function<std::string()>;

class PendingChanges {
public:
    PendingChanges(store::AuditLog& audit, std::chrono::seconds window = std::chrono::seconds(90));
    ~PendingChanges();
    void start();
    void stop();  // rolls back whatever is still unconfirmed

    // Registers an applied change; `rollback` must not throw. Returns the change.
    PendingChange add(const std::string& what, const std::string& actor, std::function<void()> rollback,
                      ChangeProof proof = {});
    // False when there is no such change. Throws model::KakehashiError ChangeUnproven while its proof is missing.
    bool confirm(const std::string& id, const std::string& actor);
    bool revert(const std::string& id, const std::string& actor);
    std::vector<PendingChange> list();

private:
    struct Entry {
        PendingChange change;
        std::function<void()> rollback;
        ChangeProof proof;
        bool rollingBack = false;  // its rollback is running: still listed, no longer confirmable
        PendingChange withProof() const;
    };
    void run();
    // Rolls back the listed entry `it` with `l` released meanwhile, then takes it off the list.
    void rollBackListed(std::unique_lock<std::mutex>& l, std::vector<Entry>::iterator it, const std::string& actor,
                        const char* why);
    void rollBack(Entry entry, const std::string& actor, const char* why);

    store::AuditLog& audit_;
    std::chrono::seconds window_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Entry> entries_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace kh::admin
