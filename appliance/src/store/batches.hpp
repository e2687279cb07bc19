// 一括照会 (batch inquiries): the batch, its entries and the chunks it goes upstream in. A batch is
// created with everything it needs in one transaction, so its reception number is only handed out once
// the whole batch is durable.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/outbound_queue.hpp"
#include "store/store.hpp"

namespace kh::store {

struct Batch {
    int64_t id = 0;
    std::string receptionNumber, origin, institutionCode, fileIdentifier, state;  // processing | done
    int64_t entryCount = 0, receivedAt = 0;
};

struct BatchChunk {
    int64_t batchId = 0, chunkNo = 0, entryCount = 0, uploadTicket = 0, nextPollAt = 0;
    std::string upstreamReception, state;  // uploading | polling | done
};

struct NewBatchEntry {
    std::string inquiry;                    // serialised inquiry
    std::optional<std::string> localResult; // set when the entry is answered without going upstream
};

class Batches {
public:
    Batches(Store& store, OutboundQueue& queue) : store_(store), queue_(queue) {}

    // Idempotent on `origin`: a second call returns the first batch. `uploadBody` makes the upstream
    // upload of one chunk from the serialised inquiries in it.
    Batch create(const std::string& origin, const std::string& institutionCode, const std::string& fileIdentifier,
                 const std::vector<NewBatchEntry>& entries, size_t chunkSize,
                 const std::function<std::string(const std::vector<std::string>&)>& uploadBody);
    std::optional<Batch> byReception(const std::string& receptionNumber);
    std::optional<Batch> byOrigin(const std::string& origin);

    std::vector<BatchChunk> chunks(const std::string& state);
    void chunkUploaded(const BatchChunk& c, const std::string& upstreamReception, int64_t nextPollAt);
    void pollLater(const BatchChunk& c, int64_t nextPollAt);
    // Stores the results of a chunk's entries in order; completes the batch when it was the last chunk.
    void chunkAnswered(const BatchChunk& c, const std::vector<std::string>& results);
    std::vector<std::string> chunkInquiries(const BatchChunk& c);

    struct Entry {
        std::string inquiry;
        std::optional<std::string> result;
    };
    std::vector<Entry> entries(int64_t batchId);
    int64_t openCount();

private:
    std::optional<Batch> find(const std::string& where, const std::string& value);
    void completeIfDone(Transaction& tx, int64_t batchId);

    Store& store_;
    OutboundQueue& queue_;
};

}  // namespace kh::store
