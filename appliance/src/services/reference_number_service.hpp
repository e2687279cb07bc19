// 照会番号登録 (reference-number registration): checks each entry, sends the valid ones to the central system
// as ONE durable outbound message (OQSsiimm01req for one entry, OQSmuimm01req for several), keeps one row per
// person in the store, and answers entry by entry — at once when the central system answers in time, else
// later by ticket. Logs carry tickets and counts only, never numbers or identifiers.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/background_loop.hpp"
#include "model/errors.hpp"
#include "model/reference_number.hpp"
#include "store/reference_numbers.hpp"
#include "upstream/dispatcher.hpp"
#include "upstream/outbox.hpp"

namespace kh::services {

struct ReferenceNumberPolicy {
    std::string institutionCode;                // 医療機関等コード of this box (MedicalInstitutionCode)
    std::chrono::milliseconds liveWait{15000};  // how long an HTTP caller waits for the central answer
    size_t maxEntries = 10000;
};

// The answer for one entry, in the order the entries were given.
struct RegistrationResult {
    std::string referenceNumber;
    std::string status;   // registered | refused | invalid | pending
    std::string code;     // ProcessingResultCode, or a KKH code for a local or whole-message error
    std::string message;  // as given by the central system, or ours (Japanese)
    std::vector<model::FieldError> fieldErrors;  // invalid only
};

struct RegistrationOutcome {
    enum class Kind { Answered, Queued, NotFound } kind = Kind::Answered;
    int64_t ticket = 0;  // the outbound item; 0 when nothing went upstream
    std::vector<RegistrationResult> results;
};

class ReferenceNumberService {
public:
    ReferenceNumberService(ReferenceNumberPolicy policy, store::ReferenceNumbers& numbers, upstream::Outbox& outbox,
                           upstream::Dispatcher& dispatcher);
    ~ReferenceNumberService();
    void start();  // completes finished tickets now and every few seconds
    void stop();

    // Throws KakehashiError EmptyRequest / TooManyEntries. `wait` 0: never block (file channel). Queued: the
    // results hold the invalid entries answered and the others "pending"; follow the ticket.
    // (`register` is a C++ keyword.) `fileIdentifier` goes up as ArbitraryFileIdentifier when given.
    RegistrationOutcome registerEntries(const std::vector<model::ReferenceNumberRegistration>& entries,
                                        std::chrono::milliseconds wait, const std::string& fileIdentifier = "");
    // The entries that went up under `ticket`, in order: Answered, Queued (all "pending"), or NotFound.
    RegistrationOutcome follow(int64_t ticket);
    // The same for the whole original request: its invalid entries answered again, the rest from the ticket
    // (ticket 0: nothing went upstream, every entry is answered here).
    RegistrationOutcome follow(int64_t ticket, const std::vector<model::ReferenceNumberRegistration>& entries);
    // Stores the answers of every finished ticket that rows still wait for; returns the tickets completed.
    int completeFinished();
    const ReferenceNumberPolicy& policy() const { return policy_; }

private:
    std::vector<RegistrationResult> complete(int64_t ticket, const upstream::Outcome<std::vector<model::ReferenceNumberResult>>& settled);
    RegistrationOutcome merged(const std::vector<model::ReferenceNumberRegistration>& entries,
                               const RegistrationOutcome& upstream);

    ReferenceNumberPolicy policy_;
    store::ReferenceNumbers& numbers_;
    upstream::Outbox& outbox_;
    upstream::Dispatcher& dispatcher_;
    base::BackgroundLoop loop_;
};

}  // namespace kh::services
