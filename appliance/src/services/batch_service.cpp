#include "services/batch_service.hpp"

#include "base/log.hpp"
#include "model/errors.hpp"
#include "services/result_codec.hpp"
#include "spec/stored_result.hpp"

namespace kh::services {
namespace {
using model::ErrorId;
using model::KakehashiError;

}  // namespace

BatchService::BatchService(BatchPolicy policy, store::Batches& batches, upstream::Outbox& outbox,
                           upstream::Dispatcher& dispatcher, upstream::CentralClient& central, upstream::CircuitBreaker& breaker)
    : policy_(std::move(policy)), batches_(batches), outbox_(outbox), dispatcher_(dispatcher), central_(central),
      breaker_(breaker) {}

BatchService::~BatchService() { stop(); }

void BatchService::start() { loop_.start(std::chrono::milliseconds(250), [this] { pass(); }); }

void BatchService::stop() { loop_.stop(); }

store::Batch BatchService::submit(const std::string& origin, const std::string& fileIdentifier,
                                  const std::vector<model::EligibilityInquiry>& inquiries) {
    if (inquiries.empty()) throw KakehashiError(ErrorId::EmptyRequest, "batch has no entries");
    if (inquiries.size() > policy_.maxEntries)
        throw KakehashiError(ErrorId::TooManyEntries, "at most " + std::to_string(policy_.maxEntries) + " entries");
    std::vector<store::NewBatchEntry> entries;
    entries.reserve(inquiries.size());
    bool overHttp = origin.compare(0, 5, "http:") == 0;
    for (const auto& q : inquiries) {
        store::NewBatchEntry e{spec::serialiseInquiry(q), std::nullopt};
        auto errors = model::validate(q);
        // A batch sent as JSON is told the JSON member names; a spec file the spec's element names.
        if (overHttp) errors = model::withJsonNames(std::move(errors));
        if (!errors.empty()) e.localResult = spec::serialiseResult(errorResult(q, ErrorId::InvalidField, model::describe(errors)));
        entries.push_back(std::move(e));
    }
    auto uploadBody = [&](const std::vector<std::string>& chunk) {
        std::vector<model::EligibilityInquiry> inquiries;
        for (const auto& s : chunk) inquiries.push_back(spec::parseInquiry(s));
        return outbox_.batchUploadCall(inquiries, fileIdentifier);
    };
    auto batch = batches_.create(origin, policy_.institutionCode, fileIdentifier, entries, policy_.chunkSize, uploadBody);
    log::info("batch.accepted", {{"reception", batch.receptionNumber}, {"entries", std::to_string(batch.entryCount)}});
    dispatcher_.wake();
    loop_.poke();
    return batch;
}

std::optional<BatchView> BatchService::view(const std::string& receptionNumber, bool withUnits) {
    auto batch = batches_.byReception(receptionNumber);
    if (!batch) return std::nullopt;
    BatchView v{*batch, batch->state == "done", {}};
    if (v.done && withUnits) {
        for (auto& e : batches_.entries(batch->id)) {
            auto unit = e.result ? spec::parseResult(*e.result) : errorResult(spec::parseInquiry(e.inquiry), ErrorId::Internal, "no result");
            unit.inquiry = spec::parseInquiry(e.inquiry);
            v.units.push_back(std::move(unit));
        }
    }
    return v;
}

void BatchService::pass() {
    try {
        progressOnce();
    } catch (const std::exception& e) {
        log::error("batch.progress_failed", {{"error", e.what()}});
    }
}

void BatchService::progressOnce() {
    for (const auto& c : batches_.chunks("uploading")) advanceUpload(c);
    int64_t now = store::nowSeconds();
    for (const auto& c : batches_.chunks("polling")) {
        if (c.nextPollAt > now) continue;
        if (loop_.stopping()) return;
        poll(c);
    }
}

void BatchService::advanceUpload(const store::BatchChunk& c) {
    auto settled = outbox_.batchUpload(c.uploadTicket);
    if (!settled) return;  // still going up
    if (!settled->ok()) {
        answerChunkWithError(c, ErrorId::UpstreamRejected, settled->failure.code + " " + settled->failure.message);
        return;
    }
    batches_.chunkUploaded(c, settled->answer->receptionNumber, store::nowSeconds() + 1);
}

void BatchService::poll(const store::BatchChunk& c) {
    auto download = central_.downloadBatch(c.upstreamReception, upstream::BatchKind::Qualifications);
    if (!download.ok()) {
        if (download.failure.kind == upstream::Failure::Kind::Unreachable) {
            breaker_.recordFailure(upstream::steadyMillis());
            int wait = download.failure.retryAfterSeconds > 0 ? download.failure.retryAfterSeconds : policy_.pollFallbackSeconds;
            batches_.pollLater(c, store::nowSeconds() + std::min(wait, 60));
            return;
        }
        breaker_.recordSuccess();
        answerChunkWithError(c, ErrorId::UpstreamRejected, download.failure.code + " " + download.failure.message);
        return;
    }
    breaker_.recordSuccess();
    if (download.answer->processing) {
        int wait = download.answer->retryAfterSeconds > 0 ? download.answer->retryAfterSeconds : policy_.pollFallbackSeconds;
        batches_.pollLater(c, store::nowSeconds() + std::min(wait, 60));
        return;
    }
    auto& units = download.answer->units;
    auto inquiries = batches_.chunkInquiries(c);
    if (units.size() != inquiries.size()) {
        // A damaged answer: ask again later rather than lose the chunk.
        log::warn("batch.bad_answer", {{"chunk", std::to_string(c.chunkNo)}, {"error", "unit count differs"}});
        batches_.pollLater(c, store::nowSeconds() + policy_.pollFallbackSeconds);
        return;
    }
    std::vector<std::string> stored;
    for (size_t i = 0; i < units.size(); ++i) {
        units[i].inquiry = spec::parseInquiry(inquiries[i]);
        stored.push_back(spec::serialiseResult(units[i]));
    }
    batches_.chunkAnswered(c, stored);
    log::info("batch.chunk_answered", {{"chunk", std::to_string(c.chunkNo)}, {"entries", std::to_string(stored.size())}});
    if (onAnswered_)
        for (const auto& unit : units) onAnswered_(unit);
}

void BatchService::answerChunkWithError(const store::BatchChunk& c, ErrorId id, const std::string& detail) {
    std::vector<std::string> stored;
    for (const auto& q : batches_.chunkInquiries(c)) stored.push_back(spec::serialiseResult(errorResult(spec::parseInquiry(q), id, detail)));
    batches_.chunkAnswered(c, stored);
    log::warn("batch.chunk_refused", {{"chunk", std::to_string(c.chunkNo)}, {"error", model::errorInfo(id).name}});
}

}  // namespace kh::services
