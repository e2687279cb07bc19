#include "services/batch_service.hpp"

#include "crypto/primitives.hpp"
#include "base/log.hpp"
#include "model/errors.hpp"
#include "services/result_codec.hpp"
#include "spec/messages.hpp"

namespace kh::services {
namespace {
using model::ErrorId;
using model::KakehashiError;

}  // namespace

BatchService::BatchService(BatchPolicy policy, store::Batches& batches, store::OutboundQueue& queue,
                           upstream::Dispatcher& dispatcher, upstream::CentralTransport& transport,
                           upstream::CircuitBreaker& breaker)
    : policy_(std::move(policy)), batches_(batches), queue_(queue), dispatcher_(dispatcher), transport_(transport),
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
    for (const auto& q : inquiries) {
        store::NewBatchEntry e{serialiseInquiry(q), std::nullopt};
        auto errors = model::validate(q);
        if (!errors.empty()) e.localResult = serialiseResult(errorResult(q, ErrorId::InvalidField, model::describe(errors)));
        entries.push_back(std::move(e));
    }
    auto uploadBody = [&](const std::vector<std::string>& chunk) {
        spec::BatchUploadRequest req;
        req.header = {model::JapanDate::today().str(), policy_.institutionCode, fileIdentifier};
        for (const auto& s : chunk) req.inquiries.push_back(parseInquiry(s));
        return spec::writeXml(spec::encode(req), spec::Encoding::Utf8);
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
            auto unit = e.result ? parseResult(*e.result) : errorResult(parseInquiry(e.inquiry), ErrorId::Internal, "no result");
            unit.inquiry = parseInquiry(e.inquiry);
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
    auto item = queue_.get(c.uploadTicket);
    if (!item || item->state == "pending") return;
    if (item->state == "failed") {
        answerChunkWithError(c, ErrorId::UpstreamRejected, item->error);
        return;
    }
    try {
        auto accepted = spec::decodeBatchAcceptedResponse(spec::parseXml(item->response).root);
        if (accepted.receptionNumber.empty()) throw KakehashiError(ErrorId::UpstreamRejected, "no reception number");
        batches_.chunkUploaded(c, accepted.receptionNumber, store::nowSeconds() + 1);
    } catch (const KakehashiError& e) {
        answerChunkWithError(c, ErrorId::UpstreamRejected, e.what());
    }
}

void BatchService::poll(const store::BatchChunk& c) {
    upstream::CentralResponse res;
    try {
        // A poll has no effect upstream, so each one carries a fresh request id.
        res = transport_.get(upstream::profile_v1::batchResultPath(c.upstreamReception), crypto::uuid4());
    } catch (const upstream::TransportError& e) {
        breaker_.recordFailure(upstream::steadyMillis());
        batches_.pollLater(c, store::nowSeconds() + policy_.pollFallbackSeconds);
        return;
    }
    if (res.status == 202 || res.status >= 500 || res.status == 429) {
        if (res.status == 202) breaker_.recordSuccess();
        int wait = res.retryAfterSeconds > 0 ? res.retryAfterSeconds : policy_.pollFallbackSeconds;
        batches_.pollLater(c, store::nowSeconds() + std::min(wait, 60));
        return;
    }
    breaker_.recordSuccess();
    if (res.status != 200) {
        answerChunkWithError(c, ErrorId::UpstreamRejected, "HTTP " + std::to_string(res.status));
        return;
    }
    try {
        auto result = spec::decodeBatchResultResponse(spec::parseXml(res.body).root);
        auto inquiries = batches_.chunkInquiries(c);
        if (result.units.size() != inquiries.size()) throw KakehashiError(ErrorId::UpstreamRejected, "unit count differs");
        std::vector<std::string> stored;
        for (size_t i = 0; i < result.units.size(); ++i) {
            result.units[i].inquiry = parseInquiry(inquiries[i]);
            stored.push_back(serialiseResult(result.units[i]));
        }
        batches_.chunkAnswered(c, stored);
        log::info("batch.chunk_answered", {{"chunk", std::to_string(c.chunkNo)}, {"entries", std::to_string(stored.size())}});
    } catch (const KakehashiError& e) {
        // A damaged answer: ask again later rather than lose the chunk.
        log::warn("batch.bad_answer", {{"chunk", std::to_string(c.chunkNo)}, {"error", e.info().name}});
        batches_.pollLater(c, store::nowSeconds() + policy_.pollFallbackSeconds);
    }
}

void BatchService::answerChunkWithError(const store::BatchChunk& c, ErrorId id, const std::string& detail) {
    std::vector<std::string> stored;
    for (const auto& q : batches_.chunkInquiries(c)) stored.push_back(serialiseResult(errorResult(parseInquiry(q), id, detail)));
    batches_.chunkAnswered(c, stored);
    log::warn("batch.chunk_refused", {{"chunk", std::to_string(c.chunkNo)}, {"error", model::errorInfo(id).name}});
}

}  // namespace kh::services
