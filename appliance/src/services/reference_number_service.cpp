#include "services/reference_number_service.hpp"

#include "base/log.hpp"

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

struct WholeError {
    std::string code, message;
};

// The central answer entry by entry, or why the whole message has none.
std::vector<model::ReferenceNumberResult> answersOf(const upstream::Outcome<std::vector<model::ReferenceNumberResult>>& settled,
                                                    const std::vector<ReferenceNumberRegistration>& sent, WholeError& whole) {
    const auto& rejected = model::errorInfo(ErrorId::UpstreamRejected);
    if (!settled.ok()) {
        const auto& f = settled.failure;
        whole = f.code.empty() ? WholeError{rejected.code, std::string(rejected.title) + (f.message.empty() ? "" : "（" + f.message + "）")}
                               : WholeError{f.code, f.message};
        return {};
    }
    whole = {rejected.code, rejected.title};
    const auto& results = *settled.answer;
    if (results.size() != sent.size()) {
        whole.message = std::string(rejected.title) + "（結果の件数が要求と一致しません）";
        return {};
    }
    for (size_t i = 0; i < sent.size(); ++i) {
        const auto& echo = results[i].referenceNumber;
        if (!echo.empty() && model::trimmed(echo) != sent[i].referenceNumber) {
            whole.message = std::string(rejected.title) + "（結果が要求と一致しません）";
            return {};
        }
    }
    return results;
}
}  // namespace

ReferenceNumberService::ReferenceNumberService(ReferenceNumberPolicy policy, store::ReferenceNumbers& numbers,
                                               upstream::Outbox& outbox, upstream::Dispatcher& dispatcher)
    : policy_(std::move(policy)), numbers_(numbers), outbox_(outbox), dispatcher_(dispatcher) {}

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
    int64_t ticket = numbers_.submit(outbox_.referenceNumbersCall(valid, fileIdentifier), valid);
    log::info("reference_numbers.queued", {{"ticket", std::to_string(ticket)}, {"entries", std::to_string(valid.size())},
                                           {"invalid", std::to_string(entries.size() - valid.size())}});
    dispatcher_.wake();
    if (wait.count() > 0 && dispatcher_.waitFor(ticket, wait))
        if (auto settled = outbox_.referenceNumbers(ticket))
            return merged(entries, {RegistrationOutcome::Kind::Answered, ticket, complete(ticket, *settled)});
    return merged(entries, {RegistrationOutcome::Kind::Queued, ticket, {}});
}

RegistrationOutcome ReferenceNumberService::follow(int64_t ticket) {
    auto sent = outbox_.referenceNumberEntries(ticket);
    if (!sent) return {RegistrationOutcome::Kind::NotFound, ticket, {}};
    if (auto settled = outbox_.referenceNumbers(ticket)) return {RegistrationOutcome::Kind::Answered, ticket, complete(ticket, *settled)};
    RegistrationOutcome out{RegistrationOutcome::Kind::Queued, ticket, {}};
    for (const auto& e : *sent) out.results.push_back(pendingResult(e));
    return out;
}

RegistrationOutcome ReferenceNumberService::follow(int64_t ticket, const std::vector<ReferenceNumberRegistration>& entries) {
    if (ticket == 0) return merged(entries, {RegistrationOutcome::Kind::Answered, 0, {}});  // every entry was invalid
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

std::vector<RegistrationResult> ReferenceNumberService::complete(int64_t ticket,
                                                                const upstream::Outcome<std::vector<model::ReferenceNumberResult>>& settled) {
    auto sent = outbox_.referenceNumberEntries(ticket).value_or(std::vector<ReferenceNumberRegistration>{});
    WholeError whole;
    auto answers = answersOf(settled, sent, whole);
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
    if (numbers_.markResults(ticket, marks) > 0)
        log::info("reference_numbers.answered", {{"ticket", std::to_string(ticket)}, {"registered", std::to_string(registered)},
                                                 {"refused", std::to_string(sent.size() - size_t(registered))}});
    return results;
}

int ReferenceNumberService::completeFinished() {
    int completed = 0;
    for (int64_t ticket : numbers_.pendingTickets()) {
        if (loop_.stopping()) break;
        auto settled = outbox_.referenceNumbers(ticket);
        if (!settled) continue;
        complete(ticket, *settled);
        ++completed;
    }
    return completed;
}

}  // namespace kh::services
