// The durable outbound queue in model types. Services queue calls to the central system here and read what
// became of them; the Dispatcher sends them through the CentralClient in order, retrying until they are
// answered or refused. A call is kept as its interface document (the request a receipt computer's file
// would carry) with the request id it got when queued, and its answer in the store's result form, so a
// restart finds both as they were and a resend is recognised upstream as the same request.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "store/outbound_queue.hpp"
#include "upstream/central_client.hpp"

namespace kh::upstream {

class Outbox {
public:
    Outbox(store::OutboundQueue& queue, std::string institutionCode)
        : queue_(queue), institutionCode_(std::move(institutionCode)) {}

    // `owner`: who waits for it. A caller that may run again after a crash names itself (a file being answered:
    // "file:<id>"), and then gets the call it queued the first time rather than a second one.
    int64_t queueInquiry(const model::EligibilityInquiry& q, const std::string& fileIdentifier,
                         const std::string& owner = "eligibility");
    // The queued forms of calls that store::Batches and store::ReferenceNumbers queue in their own
    // transactions (with the rows that wait for them).
    std::string batchUploadCall(const std::vector<model::EligibilityInquiry>& entries, const std::string& fileIdentifier) const;
    std::string referenceNumbersCall(const std::vector<model::ReferenceNumberRegistration>& entries,
                                     const std::string& fileIdentifier) const;

    bool known(int64_t ticket);
    std::string requestId(int64_t ticket);  // the id it goes up under (for tracing; not patient data)
    // What became of a queued call: nullopt while it waits, else its answer or why there is none.
    std::optional<Outcome<model::EligibilityResult>> inquiry(int64_t ticket);
    std::optional<Outcome<BatchReceipt>> batchUpload(int64_t ticket);
    std::optional<Outcome<std::vector<model::ReferenceNumberResult>>> referenceNumbers(int64_t ticket);
    // The entries a reference-number call carried, in order (nullopt for an unknown ticket).
    std::optional<std::vector<model::ReferenceNumberRegistration>> referenceNumberEntries(int64_t ticket);

    // One attempt at sending a queued call (the Dispatcher's side).
    struct Attempt {
        enum class Kind { Answered, Refused, Retry } kind = Kind::Retry;
        std::string response;  // the answer (or the refusal) in stored form
        std::string error;     // why, for the queue's record (never patient data)
        int status = 0;
        int retryAfterSeconds = 0;
    };
    // `turn`: the item's place in the Dispatcher's order, handed to the client (see SendTurn).
    Attempt deliver(const store::OutboundItem& item, CentralClient& client, SendTurn* turn) const;

private:
    store::OutboundQueue& queue_;
    std::string institutionCode_;
};

}  // namespace kh::upstream
