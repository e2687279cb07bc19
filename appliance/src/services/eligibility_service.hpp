// 資格確認 policy: answer from the cache while fresh (default: confirmed today, Japan time), else ask the
// central system; when it cannot be reached, answer from the cache marked stale, or queue the inquiry and
// answer when the link returns. Every answer says where it came from and when it was confirmed.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "base/signal.hpp"
#include "model/eligibility.hpp"
#include "model/errors.hpp"
#include "store/eligibility_cache.hpp"
#include "upstream/outbox.hpp"
#include "upstream/dispatcher.hpp"

namespace kh::services {

struct EligibilityPolicy {
    std::string institutionCode;       // 医療機関等コード of this box
    int64_t freshSeconds = -1;         // -1: fresh while confirmed on the same Japan date
    std::chrono::milliseconds liveWait{15000};  // how long an HTTP caller waits for a live answer
};

struct Answer {
    model::EligibilityResult result;
    std::string source;  // live | cache
    bool stale = false;
    int64_t confirmedAt = 0;  // unix seconds
};

struct InquiryOutcome {
    enum class Kind { Answered, Queued, Refused } kind = Kind::Refused;
    std::optional<Answer> answer;
    int64_t ticket = 0;      // outbound item, when queued
    std::string requestId;   // its upstream request id (for tracing; not patient data)
    model::ErrorId error = model::ErrorId::Internal;
    std::string detail;
    std::string centralCode, centralMessage;  // Refused by the central system: its own code and message

    static InquiryOutcome answered(Answer a) {
        InquiryOutcome out;
        out.kind = Kind::Answered;
        out.answer = std::move(a);
        return out;
    }
    static InquiryOutcome queued(int64_t ticket) {
        InquiryOutcome out;
        out.kind = Kind::Queued;
        out.ticket = ticket;
        return out;
    }
};

class EligibilityService {
public:
    EligibilityService(EligibilityPolicy policy, const store::DataKey& key, store::EligibilityCache& cache,
                       upstream::Outbox& outbox, upstream::Dispatcher& dispatcher, upstream::CircuitBreaker& breaker);
    // Every live answer (a qualification the central system just gave) also goes here: its consent block
    // authorises medical information for outpatients (HomeConsentService::noteQualification).
    void onLiveAnswer(std::function<void(const model::EligibilityResult&)> f) { onLiveAnswer_ = std::move(f); }

    // `wait` 0: never block (file channel); the caller follows the ticket. `owner`: see Outbox::queueInquiry
    // (a file being answered names itself, so answering it again after a crash queues nothing twice).
    InquiryOutcome inquire(const model::EligibilityInquiry& q, const std::string& fileIdentifier,
                           std::chrono::milliseconds wait, const std::string& owner = "eligibility");
    // Outcome of a queued inquiry: Answered, Refused, or Queued while still pending.
    InquiryOutcome follow(int64_t ticket, const model::EligibilityInquiry& q);
    // An HTTP caller's inquiry, waited for without a thread: begin() answers a fresh cache hit (or, with the
    // link down, stale/queued) at once, or queues the live check and returns Queued; then settle() gives the
    // live answer once the central system gave it (its ticket finished: finished() fires), nullopt before,
    // and at the caller's deadline (final) the stale answer or the queued ticket.
    InquiryOutcome begin(const model::EligibilityInquiry& q, const std::string& fileIdentifier);
    std::optional<InquiryOutcome> settle(int64_t ticket, const model::EligibilityInquiry& q, bool final);
    base::Signal& finished() { return dispatcher_.finished(); }
    const EligibilityPolicy& policy() const { return policy_; }
    // The cached answer, fresh or not, without asking anyone (nullopt when none is cached).
    std::optional<Answer> peek(const model::EligibilityInquiry& q) { return cached(q); }
    // An answer obtained another way (a batch for the day's visits) kept as if asked live just now.
    void remember(const model::EligibilityInquiry& q, const model::EligibilityResult& result, int64_t confirmedAt);
    // Retention: answers confirmed before `cutoff` (unix seconds) leave memory as they left the store.
    void forgetConfirmedBefore(int64_t cutoff);

    struct Counters {
        std::atomic<int64_t> cacheHits{0}, liveAnswers{0}, staleAnswers{0}, queued{0};
    };
    const Counters& counters() const { return counters_; }

private:
    // Cached answers kept decoded, so a cache hit costs no XML parse. Bounded; dropped whole when full.
    struct Decoded {
        int64_t confirmedAt = 0;
        std::shared_ptr<const model::EligibilityResult> result;
    };
    std::optional<Decoded> decoded(const std::string& index);
    void keepDecoded(const std::string& index, Decoded d);

    std::string identityIndex(const model::InsuredIdentity& p) const;
    bool fresh(int64_t confirmedAt) const;
    std::optional<Answer> cached(const model::EligibilityInquiry& q);
    InquiryOutcome fromOutcome(int64_t ticket, const upstream::Outcome<model::EligibilityResult>& settled,
                               const model::EligibilityInquiry& q);
    InquiryOutcome staleOrQueued(const model::EligibilityInquiry& q, int64_t ticket);
    int64_t enqueueLive(const model::EligibilityInquiry& q, const std::string& fileIdentifier,
                        const std::string& owner = "eligibility");

    EligibilityPolicy policy_;
    const store::DataKey& key_;
    store::EligibilityCache& cache_;
    upstream::Outbox& outbox_;
    upstream::Dispatcher& dispatcher_;
    upstream::CircuitBreaker& breaker_;
    Counters counters_;
    std::function<void(const model::EligibilityResult&)> onLiveAnswer_;
    std::shared_mutex decodedMutex_;
    std::unordered_map<std::string, Decoded> decoded_;
};

}  // namespace kh::services
