#include "services/eligibility_service.hpp"

#include "base/log.hpp"
#include "services/identity_index.hpp"
#include "services/result_codec.hpp"
#include "spec/stored_result.hpp"

namespace kh::services {

EligibilityService::EligibilityService(EligibilityPolicy policy, const store::DataKey& key, store::EligibilityCache& cache,
                                       upstream::Outbox& outbox, upstream::Dispatcher& dispatcher,
                                       upstream::CircuitBreaker& breaker)
    : policy_(std::move(policy)), key_(key), cache_(cache), outbox_(outbox), dispatcher_(dispatcher), breaker_(breaker) {}

std::string EligibilityService::identityIndex(const model::InsuredIdentity& p) const {
    return services::identityIndex(key_, p);
}

bool EligibilityService::fresh(int64_t confirmedAt) const {
    auto now = std::chrono::system_clock::now();
    if (policy_.freshSeconds >= 0) return model::unixSeconds(now) - confirmedAt <= policy_.freshSeconds;
    return model::JapanDate::today(model::fromUnixSeconds(confirmedAt)) == model::JapanDate::today(now);
}

std::optional<EligibilityService::Decoded> EligibilityService::decoded(const std::string& index) {
    std::shared_lock<std::shared_mutex> l(decodedMutex_);
    auto it = decoded_.find(index);
    if (it == decoded_.end()) return std::nullopt;
    return it->second;
}

void EligibilityService::keepDecoded(const std::string& index, Decoded d) {
    std::unique_lock<std::shared_mutex> l(decodedMutex_);
    if (decoded_.size() >= 50000) decoded_.clear();
    decoded_[index] = std::move(d);
}

std::optional<Answer> EligibilityService::cached(const model::EligibilityInquiry& q) {
    std::string index = identityIndex(q.insured);
    auto d = decoded(index);
    if (!d) {
        auto hit = cache_.get(index);
        if (!hit) return std::nullopt;
        d = Decoded{hit->confirmedAt, std::make_shared<const model::EligibilityResult>(spec::parseResult(hit->result))};
        keepDecoded(index, *d);
    }
    Answer a{*d->result, "cache", !fresh(d->confirmedAt), d->confirmedAt};
    a.result.inquiry = q;  // echo this request's search info, not the one that filled the cache
    return a;
}

void EligibilityService::remember(const model::EligibilityInquiry& q, const model::EligibilityResult& result,
                                  int64_t confirmedAt) {
    if (result.processingStatus != "1") return;  // only real answers, never errors
    std::string index = identityIndex(q.insured);
    cache_.put(index, {spec::serialiseResult(result), confirmedAt});
    keepDecoded(index, {confirmedAt, std::make_shared<const model::EligibilityResult>(result)});
    if (onLiveAnswer_) onLiveAnswer_(result);
}

void EligibilityService::forgetConfirmedBefore(int64_t cutoff) {
    std::unique_lock<std::shared_mutex> l(decodedMutex_);
    for (auto it = decoded_.begin(); it != decoded_.end();) it = it->second.confirmedAt < cutoff ? decoded_.erase(it) : std::next(it);
}

int64_t EligibilityService::enqueueLive(const model::EligibilityInquiry& q, const std::string& fileIdentifier,
                                        const std::string& owner) {
    int64_t ticket = outbox_.queueInquiry(q, fileIdentifier, owner);
    dispatcher_.wake();
    return ticket;
}

InquiryOutcome EligibilityService::inquire(const model::EligibilityInquiry& q, const std::string& fileIdentifier,
                                           std::chrono::milliseconds wait, const std::string& owner) {
    if (auto a = cached(q); a && !a->stale) {
        ++counters_.cacheHits;
        return InquiryOutcome::answered(*a);
    }
    int64_t ticket = enqueueLive(q, fileIdentifier, owner);
    if (!breaker_.linkUp()) return staleOrQueued(q, ticket);
    if (wait.count() > 0 && dispatcher_.waitFor(ticket, wait))
        if (auto settled = outbox_.inquiry(ticket)) return fromOutcome(ticket, *settled, q);
    return staleOrQueued(q, ticket);
}

InquiryOutcome EligibilityService::begin(const model::EligibilityInquiry& q, const std::string& fileIdentifier) {
    if (auto a = cached(q); a && !a->stale) {
        ++counters_.cacheHits;
        return InquiryOutcome::answered(*a);
    }
    int64_t ticket = enqueueLive(q, fileIdentifier);
    if (!breaker_.linkUp()) return staleOrQueued(q, ticket);
    return InquiryOutcome::queued(ticket);  // settled when the central system answers, or at the deadline
}

std::optional<InquiryOutcome> EligibilityService::settle(int64_t ticket, const model::EligibilityInquiry& q, bool final) {
    if (auto settled = outbox_.inquiry(ticket)) return fromOutcome(ticket, *settled, q);
    if (!final && breaker_.linkUp()) return std::nullopt;
    return staleOrQueued(q, ticket);
}

InquiryOutcome EligibilityService::staleOrQueued(const model::EligibilityInquiry& q, int64_t ticket) {
    if (auto a = cached(q)) {
        ++counters_.staleAnswers;
        a->stale = true;
        auto out = InquiryOutcome::answered(*a);
        out.ticket = ticket;  // the live check still goes out and refreshes the cache
        return out;
    }
    ++counters_.queued;
    auto out = InquiryOutcome::queued(ticket);
    out.requestId = outbox_.requestId(ticket);
    return out;
}

InquiryOutcome EligibilityService::follow(int64_t ticket, const model::EligibilityInquiry& q) {
    if (!outbox_.known(ticket)) {
        InquiryOutcome out;
        out.error = model::ErrorId::NotFound;
        out.detail = "unknown ticket";
        return out;
    }
    auto settled = outbox_.inquiry(ticket);
    if (!settled) return InquiryOutcome::queued(ticket);
    return fromOutcome(ticket, *settled, q);
}

InquiryOutcome EligibilityService::fromOutcome(int64_t ticket, const upstream::Outcome<model::EligibilityResult>& settled,
                                               const model::EligibilityInquiry& q) {
    InquiryOutcome out;
    out.ticket = ticket;
    if (!settled.ok()) {
        // The central system's own code and message travel on (a file client sees them, not ours).
        out.kind = InquiryOutcome::Kind::Refused;
        out.error = model::ErrorId::UpstreamRejected;
        out.centralCode = settled.failure.code;
        out.centralMessage = settled.failure.message;
        out.detail = settled.failure.code.empty() ? settled.failure.message : settled.failure.code + " " + settled.failure.message;
        return out;
    }
    Answer a{*settled.answer, "live", false, model::unixSeconds(std::chrono::system_clock::now())};
    a.result.inquiry = q;
    if (a.result.processingStatus == "1") {
        std::string index = identityIndex(q.insured);
        cache_.put(index, {spec::serialiseResult(a.result), a.confirmedAt});
        keepDecoded(index, {a.confirmedAt, std::make_shared<const model::EligibilityResult>(a.result)});
        if (onLiveAnswer_) onLiveAnswer_(a.result);
    }
    ++counters_.liveAnswers;
    out.kind = InquiryOutcome::Kind::Answered;
    out.answer = std::move(a);
    return out;
}

}  // namespace kh::services
