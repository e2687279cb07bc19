#include "services/eligibility_service.hpp"

#include "base/log.hpp"
#include "services/identity_index.hpp"
#include "services/result_codec.hpp"
#include "spec/messages.hpp"

namespace kh::services {

EligibilityService::EligibilityService(EligibilityPolicy policy, const store::DataKey& key, store::EligibilityCache& cache,
                                       store::OutboundQueue& queue, upstream::Dispatcher& dispatcher,
                                       upstream::CircuitBreaker& breaker)
    : policy_(std::move(policy)), key_(key), cache_(cache), queue_(queue), dispatcher_(dispatcher), breaker_(breaker) {}

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
        d = Decoded{hit->confirmedAt, std::make_shared<const model::EligibilityResult>(parseResult(hit->result))};
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
    cache_.put(index, {serialiseResult(result), confirmedAt});
    keepDecoded(index, {confirmedAt, std::make_shared<const model::EligibilityResult>(result)});
}

void EligibilityService::forgetConfirmedBefore(int64_t cutoff) {
    std::unique_lock<std::shared_mutex> l(decodedMutex_);
    for (auto it = decoded_.begin(); it != decoded_.end();) it = it->second.confirmedAt < cutoff ? decoded_.erase(it) : std::next(it);
}

int64_t EligibilityService::enqueueLive(const model::EligibilityInquiry& q, const std::string& fileIdentifier) {
    spec::SingleInquiryRequest req;
    req.header = {model::JapanDate::today().str(), policy_.institutionCode, fileIdentifier};
    req.inquiry = q;
    int64_t ticket = queue_.enqueue("inquiry", "eligibility", spec::writeXml(spec::encode(req), spec::Encoding::Utf8));
    dispatcher_.wake();
    return ticket;
}

InquiryOutcome EligibilityService::inquire(const model::EligibilityInquiry& q, const std::string& fileIdentifier,
                                           std::chrono::milliseconds wait) {
    if (auto a = cached(q); a && !a->stale) {
        ++counters_.cacheHits;
        return InquiryOutcome::answered(*a);
    }
    int64_t ticket = enqueueLive(q, fileIdentifier);
    if (!breaker_.linkUp()) return staleOrQueued(q, ticket);
    if (wait.count() > 0) {
        if (auto item = dispatcher_.waitFor(ticket, wait)) return fromItem(*item, q);
    }
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
    auto item = queue_.get(ticket);
    if (item && item->state != "pending") return fromItem(*item, q);
    if (!final && item && breaker_.linkUp()) return std::nullopt;
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
    if (auto item = queue_.get(ticket)) out.requestId = item->requestId;
    return out;
}

InquiryOutcome EligibilityService::follow(int64_t ticket, const model::EligibilityInquiry& q) {
    auto item = queue_.get(ticket);
    if (!item) {
        InquiryOutcome out;
        out.error = model::ErrorId::NotFound;
        out.detail = "unknown ticket";
        return out;
    }
    if (item->state == "pending") {
        auto out = InquiryOutcome::queued(ticket);
        return out;
    }
    return fromItem(*item, q);
}

InquiryOutcome EligibilityService::fromItem(const store::OutboundItem& item, const model::EligibilityInquiry& q) {
    InquiryOutcome out;
    out.ticket = item.id;
    try {
        auto doc = spec::parseXml(item.response);
        auto res = spec::decodeSingleInquiryResponse(doc.root);
        if (item.state != "done" || !res.result || res.header.segmentOfResult != "1") {
            out.kind = InquiryOutcome::Kind::Refused;
            out.error = model::ErrorId::UpstreamRejected;
            out.detail = res.header.errorCode.empty() ? item.error : res.header.errorCode + " " + res.header.errorMessage;
            return out;
        }
        Answer a{*res.result, "live", false, model::unixSeconds(std::chrono::system_clock::now())};
        a.result.inquiry = q;
        if (a.result.processingStatus == "1") {
            std::string index = identityIndex(q.insured);
            cache_.put(index, {serialiseResult(a.result), a.confirmedAt});
            keepDecoded(index, {a.confirmedAt, std::make_shared<const model::EligibilityResult>(a.result)});
        }
        ++counters_.liveAnswers;
        out.kind = InquiryOutcome::Kind::Answered;
        out.answer = std::move(a);
    } catch (const model::KakehashiError& e) {
        log::warn("eligibility.bad_upstream_answer", {{"request_id", item.requestId}, {"error", e.info().name}});
        out.kind = InquiryOutcome::Kind::Refused;
        out.error = model::ErrorId::UpstreamRejected;
        out.detail = item.error.empty() ? "unreadable answer" : item.error;
    }
    return out;
}

}  // namespace kh::services
