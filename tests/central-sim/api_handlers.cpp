#include "api_handlers.hpp"

#include <chrono>

#include "codes.hpp"
#include "home_consent_handlers.hpp"
#include "identity_handlers.hpp"
#include "japan_time.hpp"
#include "qualification.hpp"
#include "xml_reader.hpp"

namespace ksim {

StoredAnswer errorAnswer(SimError error, const AnswerHeader& header, const std::string& message) {
    const SimErrorInfo& info = errorInfo(error);
    return {info.status, errorDocument(header, info.code, message.empty() ? info.message : message), {}};
}

AnswerHeader answerHeader(const RequestHeader& request, const std::string& institution) {
    std::string date = trimmed(request.confirmationDate);
    return {date.empty() ? jstDateNow() : date, institution, request.arbitraryFileIdentifier};
}

bool ownInstitution(const std::string& namedRaw, const std::string& institution, const AnswerHeader& header,
                    StoredAnswer& refusal) {
    std::string named = trimmed(namedRaw);
    if (named.empty()) refusal = errorAnswer(SimError::BadRequestContent, header, "MedicalInstitutionCode is missing");
    else if (named != institution) refusal = errorAnswer(SimError::WrongInstitution, header);
    else return true;
    return false;
}

ResultExtras resultExtras(const QualificationOutcome& outcome, const std::string& institution, const SimState& state) {
    ResultExtras extras;
    if (outcome.person)
        extras.referenceNumber = state.consents.referenceNumber(institution, state.population.indexOf(*outcome.person));
    return extras;
}

namespace {

// Parses the body and checks that it speaks for the certificate's institution.
bool readOwnRequest(const ApiCall& call, QualificationRequest& request, StoredAnswer& refusal) {
    ReadResult read = readQualificationRequest(call.body);
    if (!read.ok) {
        refusal = errorAnswer(SimError::MalformedXml, {"", call.institution, ""}, read.error);
        return false;
    }
    AnswerHeader header = answerHeader(read.request.header, call.institution);
    if (!ownInstitution(read.request.header.institutionCode, call.institution, header, refusal)) {
        return false;
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
    return {200, qualificationResultDocument(header, search, outcome, state.population,
                                             resultExtras(outcome, call.institution, state)),
            {}};
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
    if (batch->kind == BatchKind::HomeConsent) {
        std::vector<std::string> references;
        for (const Consent& c : batch->consents)
            references.push_back(state.consents.referenceNumber(call.institution, c.person));
        return {200, homeConsentResultDocument(header, reception, batch->consents, references, state.population), {}};
    }
    std::vector<QualificationOutcome> outcomes;
    std::vector<ResultExtras> extras;
    outcomes.reserve(batch->request.searches.size());
    for (const SearchInfo& search : batch->request.searches) {
        outcomes.push_back(answerSearch(state.population, search));
        extras.push_back(resultExtras(outcomes.back(), call.institution, state));
    }
    return {200, batchResultDocument(header, reception, batch->request.searches, outcomes, state.population, extras),
            {}};
}

}  // namespace

const std::vector<ApiRoute>& apiRoutes() {
    static const std::vector<ApiRoute> routes = {
        {"POST", "/v1/qualifications/inquiry", "single qualification check (OQSsiquc01)", false, true, false, handleInquiry},
        {"POST", "/v1/qualifications/batches", "batch check upload (OQSmuquc01)", false, true, false, handleBatchUpload},
        {"GET", "/v1/qualifications/batches/{reception}", "batch result, also of home-consent requests (OQSmuquc02, OQSmuhvq02, OQSmuonq02)", true, true, false, handleBatchResult},
        {"POST", "/v1/reference-numbers", "register reference numbers (OQSsiimm01, OQSmuimm01)", false, true, false, handleReferenceNumbers},
        {"POST", "/v1/home-consent/qualifications", "consented patients' qualifications (OQSmuhvq01, OQSmuonq01)", false, true, false, handleHomeConsentQualifications},
        {"GET", "/v1/home-consent/url", "the institution's home reception web URL (IF-039/040)", true, true, true, handleHomeConsentUrl},
        {"POST", "/v1/medical-info/{kind}", "medication / checkup / clinical info (YZKsiquc01, TKKsiquc01)", false, true, false, handleMedicalInfo},
        {"POST", "/v1/consents/withdrawals", "the facility cancels a consent (IF-037/038)", false, true, true, handleWithdrawalByFacility},
        {"GET", "/v1/consents/withdrawals", "withdrawals by patients and the facility since a time", true, true, true, handleWithdrawalList},
        {"POST", "/v1/identity/challenge", "nonce for a card check on a home visit", false, true, true, handleIdentityChallenge},
        {"POST", "/v1/identity/verify", "card or visual check, optionally registering consent", false, true, true, handleIdentityVerify},
    };
    return routes;
}

}  // namespace ksim
