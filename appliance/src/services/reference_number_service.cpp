#include "services/reference_number_service.hpp"

#include "base/log.hpp"
#include "spec/reference_number_messages.hpp"
#include "spec/xml.hpp"

namespace kh::services {
namespace {
using model::ErrorId;
using model::KakehashiError;
using model::ReferenceNumberRegistration;

RegistrationResult invalidResult(const ReferenceNumberRegistration& r, std::vector<model::FieldError> errors) {
    std::string message = model::describe(errors);
    return {r.referenceNumber, "invalid", model::errorInfo(ErrorId::InvalidField).code, message, std::move(errors)};
}

RegistrationResult pendingResult(const ReferenceNumberRegistration& r) { return {r.referenceNumber, "pending", "", "", {}}; }

// OQSsiimm01req for one entry, OQSmuimm01req for several; UTF-8 as profile v1 wants.
std::string requestBody(const std::string& institutionCode, const std::string& fileIdentifier,
                        const std::vector<ReferenceNumberRegistration>& entries) {
    spec::RequestHeader header{"", institutionCode, fileIdentifier};
    if (entries.size() == 1) return spec::writeXml(spec::encode(spec::ReferenceNumberRequest{header, entries.front()}),
                                                   spec::Encoding::Utf8);
    return spec::writeXml(spec::encode(spec::ReferenceNumberBatchRequest{header, entries}), spec::Encoding::Utf8);
}

// What went up under a ticket: our own document, so always readable.
std::vector<ReferenceNumberRegistration> sentEntries(const store::OutboundItem& item) {
    return spec::decodeReferenceNumberBatchRequest(spec::parseXml(item.body).root).registrations;
}

struct WholeError {
    std::string code, message;
};

// The central answer entry by entry, or why the whole message has none.
std::vector<model::ReferenceNumberResult> answersOf(const store::OutboundItem& item,
                                                    const std::vector<ReferenceNumberRegistration>& sent,
                                                    WholeError& whole) {
    const auto& rejected = model::errorInfo(ErrorId::UpstreamRejected);
    whole = {rejected.code, std::string(rejected.title) + (item.error.empty() ? "" : "（" + item.error + "）")};
    try {
        auto res = spec::decodeReferenceNumberResponse(spec::parseXml(item.response).root);
        if (!res.header.errorCode.empty()) whole = {res.header.errorCode, res.header.errorMessage};
        if (item.state != "done" || res.header.segmentOfResult != "1") return {};
        if (res.results.size() != sent.size()) {
            whole.message = std::string(rejected.title) + "（result count differs from the request）";
            return {};
        }
        for (size_t i = 0; i < sent.size(); ++i) {
            const auto& echo = res.results[i].referenceNumber;
            if (!echo.empty() && model::trimmed(echo) != sent[i].referenceNumber) {
                whole.message = std::string(rejected.title) + "（results do not match the request）";
                return {};
            }
        }
        return res.results;
    } catch (const KakehashiError&) {
        return {};  // a failed item may carry no document at all
    }
}
}  // namespace

ReferenceNumberService::ReferenceNumberService(ReferenceNumberPolicy policy, store::ReferenceNumbers& numbers,
                                               store::OutboundQueue& queue, upstream::Dispatcher& dispatcher)
    : policy_(std::move(policy)), numbers_(numbers), queue_(queue), dispatcher_(dispatcher) {}

ReferenceNumberService::~ReferenceNumberService() { stop(); }

void ReferenceNumberService::start() {
    loop_.start(std::chrono::seconds(2), [this] {
        try {
            completeFinished();
        } catch (const std::exception& e) {
            log::error("reference_numbers.complete_failed", {{"error", e.what()}});
        }
    });
}

void ReferenceNumberService::stop() { loop_.stop(); }

RegistrationOutcome ReferenceNumberService::registerEntries(const std::vector<ReferenceNumberRegistration>& entries,
                                                            std::chrono::milliseconds wait,
                                                            const std::string& fileIdentifier) {
    if (entries.empty()) throw KakehashiError(ErrorId::EmptyRequest, "no entries");
    if (entries.size() > policy_.maxEntries)
        throw KakehashiError(ErrorId::TooManyEntries, "at most " + std::to_string(policy_.maxEntries) + " entries");
    std::vector<ReferenceNumberRegistration> valid;
    for (const auto& e : entries)
        if (model::validate(e).empty()) valid.push_back(e);
    RegistrationOutcome none{RegistrationOutcome::Kind::Answered, 0, {}};
    if (valid.empty()) {
        log::info("reference_numbers.all_invalid", {{"entries", std::to_string(entries.size())}});
        return merged(entries, none);
    }
    int64_t ticket = numbers_.submit(requestBody(policy_.institutionCode, fileIdentifier, valid), valid);
    log::info("reference_numbers.queued", {{"ticket", std::to_string(ticket)}, {"entries", std::to_string(valid.size())},
                                           {"invalid", std::to_string(entries.size() - valid.size())}});
    dispatcher_.wake();
    if (wait.count() > 0) {
        if (auto item = dispatcher_.waitFor(ticket, wait))
            return merged(entries, {RegistrationOutcome::Kind::Answered, ticket, complete(*item)});
    }
    return merged(entries, {RegistrationOutcome::Kind::Queued, ticket, {}});
}

RegistrationOutcome ReferenceNumberService::follow(int64_t ticket) {
    auto item = queue_.get(ticket);
    if (!item || item->kind != "reference-numbers") return {RegistrationOutcome::Kind::NotFound, ticket, {}};
    if (item->state != "pending") return {RegistrationOutcome::Kind::Answered, ticket, complete(*item)};
    RegistrationOutcome out{RegistrationOutcome::Kind::Queued, ticket, {}};
    for (const auto& e : sentEntries(*item)) out.results.push_back(pendingResult(e));
    return out;
}

RegistrationOutcome ReferenceNumberService::follow(int64_t ticket, const std::vector<ReferenceNumberRegistration>& entries) {
    auto up = follow(ticket);
    if (up.kind == RegistrationOutcome::Kind::NotFound) return up;
    if (up.kind == RegistrationOutcome::Kind::Queued) up.results.clear();
    return merged(entries, up);
}

// The request's entries in order: invalid ones answered here (validation is deterministic, so answering
// them again gives the same), the valid ones from the ticket's results, else pending.
RegistrationOutcome ReferenceNumberService::merged(const std::vector<ReferenceNumberRegistration>& entries,
                                                   const RegistrationOutcome& upstream) {
    RegistrationOutcome out{upstream.kind, upstream.ticket, {}};
    size_t next = 0;
    for (const auto& e : entries) {
        auto errors = model::validate(e);
        if (!errors.empty())
            out.results.push_back(invalidResult(e, std::move(errors)));
        else if (next < upstream.results.size())
            out.results.push_back(upstream.results[next++]);
        else
            out.results.push_back(pendingResult(e));
    }
    return out;
}

std::vector<RegistrationResult> ReferenceNumberService::complete(const store::OutboundItem& item) {
    auto sent = sentEntries(item);
    WholeError whole;
    auto answers = answersOf(item, sent, whole);
    std::vector<RegistrationResult> results;
    std::vector<store::ReferenceNumberMark> marks;
    int registered = 0;
    for (size_t i = 0; i < sent.size(); ++i) {
        RegistrationResult r{sent[i].referenceNumber, "refused", whole.code, whole.message, {}};
        if (!answers.empty()) {
            const auto& a = answers[i];
            r = {sent[i].referenceNumber, a.processingStatus == "1" ? "registered" : "refused", a.processingCode,
                 a.processingMessage, {}};
        }
        registered += r.status == "registered";
        marks.push_back({numbers_.identityIndex(sent[i].insured), r.referenceNumber, r.status == "registered", r.code,
                         r.message});
        results.push_back(std::move(r));
    }
    if (numbers_.markResults(item.id, marks) > 0)
        log::info("reference_numbers.answered", {{"ticket", std::to_string(item.id)}, {"registered", std::to_string(registered)},
                                                 {"refused", std::to_string(sent.size() - size_t(registered))}});
    return results;
}

int ReferenceNumberService::completeFinished() {
    int completed = 0;
    for (int64_t ticket : numbers_.pendingTickets()) {
        if (loop_.stopping()) break;
        auto item = queue_.get(ticket);
        if (!item || item->state == "pending") continue;
        complete(*item);
        ++completed;
    }
    return completed;
}

}  // namespace kh::services
