// 照会番号 (reference numbers) as registered with the central system: one row per insured person, keyed by
// the blind index of insurer number, symbol, number and branch, with the identifiers sealed. A row waits
// (pending) for its outbound item — the ticket — and then says what the central system answered.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/reference_number.hpp"
#include "store/outbound_queue.hpp"
#include "store/store.hpp"

namespace kh::store {

struct ReferenceNumberRow {
    int64_t id = 0;
    std::string identityIndex;
    model::ReferenceNumberRegistration registration;  // opened; insured.birthDate unused
    std::string state;                                // pending | registered | refused
    std::string resultCode, resultMessage;            // ProcessingResultCode / …Message (opaque)
    int64_t ticket = 0;                               // outbound item of the latest request
    int64_t requestedAt = 0, registeredAt = 0;        // unix seconds; registeredAt 0 until registered
};

// One answer from the central system for one entry of a ticket.
struct ReferenceNumberMark {
    std::string identityIndex;
    std::string referenceNumber;  // the number the entry asked for
    bool registered = false;
    std::string code, message;
};

class ReferenceNumbers {
public:
    ReferenceNumbers(Store& store, OutboundQueue& queue) : store_(store), queue_(queue) {}

    // Blind index of the normalised insurer number, symbol, number and branch.
    std::string identityIndex(const model::InsuredIdentity& insured) const;

    // Inside the caller's transaction: the person's row now waits for `ticket` with this number
    // (a later registration for the same person replaces an earlier one, as it does centrally).
    void upsertPending(Transaction& tx, const model::ReferenceNumberRegistration& r, int64_t ticket);
    // One transaction: the outbound item of kind "reference-numbers" and the rows waiting for it.
    int64_t submit(const std::string& body, const std::vector<model::ReferenceNumberRegistration>& entries);

    // Applies the answers of `ticket` to the rows still pending for it with the same number; a row that a
    // later request took over is left alone. Returns how many rows changed.
    int markResults(int64_t ticket, const std::vector<ReferenceNumberMark>& marks);

    std::optional<ReferenceNumberRow> find(const std::string& identityIndex);
    // Latest requested first; `state` "" = every state.
    std::vector<ReferenceNumberRow> list(const std::string& state = "", int limit = 1000, int offset = 0);
    std::vector<int64_t> pendingTickets();  // distinct tickets rows are still waiting for, oldest first
    int64_t count(const std::string& state = "");

private:
    ReferenceNumberRow read(Statement& st);
    Store& store_;
    OutboundQueue& queue_;
};

}  // namespace kh::store
