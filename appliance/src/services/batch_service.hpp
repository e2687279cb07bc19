// 一括照会 (batch inquiries): accepts a batch durably under the appliance's own reception number, sends it
// upstream in chunks through the ordered queue, polls each chunk until its result is ready, and answers
// entry by entry. Progress lives in the store, so a restart picks up exactly where it stopped.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/background_loop.hpp"
#include "model/eligibility.hpp"
#include "model/errors.hpp"
#include "store/batches.hpp"
#include "store/eligibility_cache.hpp"
#include "upstream/central_client.hpp"
#include "upstream/outbox.hpp"
#include "upstream/dispatcher.hpp"

namespace kh::services {

struct BatchPolicy {
    std::string institutionCode;
    size_t chunkSize = 1000;
    size_t maxEntries = 10000;
    int pollFallbackSeconds = 2;
};

struct BatchView {
    store::Batch batch;
    bool done = false;
    std::vector<model::BatchUnit> units;  // filled when done
};

class BatchService {
public:
    BatchService(BatchPolicy policy, store::Batches& batches, upstream::Outbox& outbox, upstream::Dispatcher& dispatcher,
                 upstream::CentralClient& central, upstream::CircuitBreaker& breaker);
    ~BatchService();
    void start();
    void stop();

    // Throws KakehashiError(TooManyEntries / EmptyRequest). Invalid entries are answered locally.
    store::Batch submit(const std::string& origin, const std::string& fileIdentifier,
                        const std::vector<model::EligibilityInquiry>& inquiries);
    std::optional<BatchView> view(const std::string& receptionNumber, bool withUnits = true);
    void progressOnce();  // one pass over uploading and polling chunks (the poller calls it)
    // Called with every answer of a chunk once the chunk's answers are stored (set before start()); what
    // it does is extra, so it is called at most once per answer: a crash right after storing skips it.
    void onAnswered(std::function<void(const model::EligibilityResult&)> hook) { onAnswered_ = std::move(hook); }

private:
    void pass();
    void advanceUpload(const store::BatchChunk& c);
    void poll(const store::BatchChunk& c);
    void answerChunkWithError(const store::BatchChunk& c, model::ErrorId id, const std::string& detail);

    BatchPolicy policy_;
    store::Batches& batches_;
    upstream::Outbox& outbox_;
    upstream::Dispatcher& dispatcher_;
    upstream::CentralClient& central_;
    upstream::CircuitBreaker& breaker_;
    std::function<void(const model::EligibilityResult&)> onAnswered_;
    base::BackgroundLoop loop_;
};

}  // namespace kh::services
