// A store in a temporary folder with the real durable outbox, dispatcher and circuit breaker in front of a
// FakeCentral: what the services that queue calls (eligibility, batches) stand on in their unit tests.
#pragma once
#include <chrono>
#include <string>

#include "../temp_dir.hpp"
#include "fake_central.hpp"
#include "store/outbound_queue.hpp"
#include "store/store.hpp"
#include "upstream/dispatcher.hpp"
#include "upstream/outbox.hpp"
#include "upstream/retry_policy.hpp"

namespace kh::test {

constexpr const char* kInstitution = "1312345679";

struct UpstreamRig {
    TempDir dir;
    store::Store store{dir.path + "/k.db", dir.path + "/keys"};
    store::OutboundQueue queue{store};
    FakeCentral central;
    upstream::Outbox outbox{queue, kInstitution};
    // A failure makes the link "down" for the services (linkUp) without ever stopping the dispatcher's retries.
    upstream::CircuitBreaker breaker{1000, 10};
    upstream::Dispatcher dispatcher{queue, outbox, central, breaker, upstream::BackoffSettings{10, 20}};

    UpstreamRig() { dispatcher.start(); }
    // A rig whose fake answers use its own members stops the dispatcher in its destructor, before they go.
    ~UpstreamRig() { dispatcher.stop(); }
    // The link believed down, as after a failed call.
    void linkDown() { breaker.recordFailure(upstream::steadyMillis()); }
};

// An insured person whose keys pass validation (保険者番号 with its check digit, a real birth date).
inline model::EligibilityInquiry inquiryFor(const std::string& cardNumber, const std::string& birthDate = "19600402") {
    model::EligibilityInquiry q;
    q.insured = {"01130012", "あいう", cardNumber, "00", birthDate};
    q.arbitraryIdentifier = "P-" + cardNumber;
    return q;
}

// The central system's answer for `q`: valid, one record named `name`.
inline model::EligibilityResult validAnswer(const model::EligibilityInquiry& q, const std::string& name = "架橋 太郎") {
    model::EligibilityResult r;
    r.processingStatus = "1";
    r.validity = model::Validity::Valid;
    r.validityRaw = "1";
    r.inquiry = q;
    model::EligibilityRecord record;
    record.insurerNumber = q.insured.insurerNumber;
    record.cardSymbol = q.insured.cardSymbol;
    record.cardNumber = q.insured.cardNumber;
    record.branchNumber = q.insured.branchNumber;
    record.birthDate = q.insured.birthDate;
    record.name = name;
    r.records.push_back(record);
    return r;
}

inline int64_t nowSeconds() { return model::unixSeconds(std::chrono::system_clock::now()); }

}  // namespace kh::test
