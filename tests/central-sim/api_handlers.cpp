#include "api_handlers.hpp"

#include <chrono>

#include "codes.hpp"
#include "japan_time.hpp"
#include "qualification.hpp"
#include "xml_reader.hpp"

namespace ksim {

StoredAnswer errorAnswer(SimError error, const AnswerHeader& header, const std::string& message) {
    const SimErrorInfo& info = errorInfo(error);
    return {info.status, errorDocument(header, info.code, message.empty() ? info.message : message), {}};
}

namespace {

AnswerHeader answerHeader(const RequestHeader& request, const std::string& institution) {
    std::string date = trimmed(request.confirmationDate);
    return {date.empty() ? jstDateNow() : date, institution, request.arbitraryFileIdentifier};
}

// Parses the body and checks that it speaks for the certificate's institution.
bool readOwnRequest(const ApiCall& call, QualificationRequest& request, StoredAnswer& refusal) {
    ReadResult read = readQualificationRequest(call.body);
    if (!read.ok) {
        refusal = errorAnswer(SimError::MalformedXml, {"", call.institution, ""}, read.error);
        return false;
    }
    AnswerHeader header = answerHeader(read.request.header, call.institution);
    std::string named = trimmed(read.request.header.institutionCode);
    if (named.empty()) {
        refusal = errorAnswer(SimError::BadRequestContent, header, "MedicalInstitutionCode is missing");
    } else if (named != call.institution) {
        refusal = errorAnswer(SimError::WrongInstitution, header);
    } else if (read.request.searches.empty()) {
        refusal = errorAnswer(SimError::BadRequestContent, header, "QualificationConfirmSearchInfo is missing");
    } else {
        request = std::move(read.request);
        return true;
    }
    return false;
}

StoredAnswer handleInquiry(const ApiCall& call, SimState& state) {
    QualificationRequest request;
    StoredAnswer refusal;
    if (!readOwnRequest(call, request, refusal)) return refusal;
    AnswerHeader header = answerHeader(request.header, call.institution);
    if (request.searches.size() != 1)
        return errorAnswer(SimError::BadRequestContent, header,
                           "a single check takes exactly one QualificationConfirmSearchInfo");
    const SearchInfo& search = request.searches.front();
    QualificationOutcome outcome = answerSearch(state.population, search);
    return {200, qualificationResultDocument(header, search, outcome, state.population), {}};
}

StoredAnswer handleBatchUpload(const ApiCall& call, SimState& state) {
    QualificationRequest request;
    StoredAnswer refusal;
    if (!readOwnRequest(call, request, refusal)) return refusal;
    AnswerHeader header = answerHeader(request.header, call.institution);
    auto batch = state.batches.add(call.institution, std::move(request));
    return {202, batchReceptionDocument(header, batch->reception, batch->receptionDateTime),
            {{"Location", "/v1/qualifications/batches/" + batch->reception}}};
}

bool batchReady(const Batch& batch, const SimState& state) {
    auto delay = std::chrono::milliseconds(state.options.batchDelayMs + state.faults.settings().slowBatchMs);
    return std::chrono::steady_clock::now() >= batch.uploadedAt + delay;
}

StoredAnswer handleBatchResult(const ApiCall& call, SimState& state) {
    const std::string& reception = call.params.at(0);
    auto batch = state.batches.find(reception, call.institution);
    if (!batch) return errorAnswer(SimError::UnknownReception, {"", call.institution, ""});
    AnswerHeader header = answerHeader(batch->request.header, call.institution);
    if (!batchReady(*batch, state))
        return {202, batchPendingDocument(header, reception), {{"Retry-After", "1"}}};
    std::vector<QualificationOutcome> outcomes;
    outcomes.reserve(batch->request.searches.size());
    for (const SearchInfo& search : batch->request.searches)
        outcomes.push_back(answerSearch(state.population, search));
    return {200, batchResultDocument(header, reception, batch->request.searches, outcomes, state.population), {}};
}

StoredAnswer notImplemented(const ApiCall& call, SimState&) {
    return errorAnswer(SimError::NotImplemented, {"", call.institution, ""});
}

}  // namespace

const std::vector<ApiRoute>& apiRoutes() {
    static const std::vector<ApiRoute> routes = {
        {"POST", "/v1/qualifications/inquiry", "single qualification check (OQSsiquc01)", false, true, handleInquiry},
        {"POST", "/v1/qualifications/batches", "batch check upload (OQSmuquc01)", false, true, handleBatchUpload},
        {"GET", "/v1/qualifications/batches/{reception}", "batch check result (OQSmuquc02)", true, true, handleBatchResult},
        {"POST", "/v1/reference-numbers", "register reference numbers (OQSsiimm01, OQSmuimm01/02)", false, false, notImplemented},
        {"POST", "/v1/home-consent/qualifications", "consented patients' qualifications (OQSmuhvq, OQSmuonq)", false, false, notImplemented},
        {"GET", "/v1/home-consent/url", "the institution's home reception web URL (IF-039/040)", true, false, notImplemented},
        {"POST", "/v1/medical-info/{kind}", "medication / checkup / clinical info (YZKsiquc01, TKKsiquc01)", false, false, notImplemented},
        {"POST", "/v1/consents/withdrawals", "the facility cancels a consent (IF-037/038)", false, false, notImplemented},
        {"GET", "/v1/consents/withdrawals", "withdrawals made by patients", true, false, notImplemented},
        {"POST", "/v1/identity/challenge", "nonce for a card check on a home visit", false, false, notImplemented},
        {"POST", "/v1/identity/verify", "card or visual check, optionally registering consent", false, false, notImplemented},
    };
    return routes;
}

}  // namespace ksim
