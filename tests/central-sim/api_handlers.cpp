#include "api_handlers.hpp"

#include <chrono>

#include "codes.hpp"
#include "home_consent_handlers.hpp"
#include "identity_handlers.hpp"
#include "japan_time.hpp"
#include "medical_aid.hpp"
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

ResultExtras resultExtras(const Person* person, const std::string& institution, const std::string& confirmationDate,
                          const SimState& state) {
    ResultExtras extras;
    if (!person) return extras;
    extras.referenceNumber = state.consents.referenceNumber(institution, state.population.indexOf(*person));
    extras.consent = outpatientConsentFor(state.outpatientConsents, state.population, institution, *person);
    extras.institution = institution;
    std::string date = trimmed(confirmationDate);
    extras.treatmentMonth = (isDate8(date) ? date : jstDateNow()).substr(0, 6);
    return extras;
}

std::string inquiryDocument(const AnswerHeader& header, const SearchInfo& search, SimState& state) {
    if (auto canned = state.canned.take(CannedKind::Single, search)) return canned->document;
    QualificationOutcome outcome = answerSearch(state.population, search);
    return qualificationResultDocument(header, search, outcome, state.population,
                                       resultExtras(outcome.person, header.institutionCode, header.confirmationDate, state));
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
    return {200, inquiryDocument(header, request.searches.front(), state), {}};
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

// The consented patients' units, with the reference numbers as they are now.
std::string homeConsentResult(const Batch& batch, const AnswerHeader& header, const SimState& state) {
    std::vector<ResultExtras> extras;
    for (const Consent& c : batch.consents) {
        ResultExtras e = resultExtras(&state.population.persons()[c.person], batch.institution,
                                      header.confirmationDate, state);
        e.consent = blockOf(c);  // the home consent, not the outpatient one
        extras.push_back(std::move(e));
    }
    return homeConsentResultDocument(header, batch.reception, batch.consents, extras, state.population);
}

// Every registered person of the institution's area whose 医療扶助 runs in the month, in population order.
std::string medicalAidResult(const Batch& batch, const AnswerHeader& header, const SimState& state) {
    std::vector<MedicalAidUnit> units;
    std::string area = areaOf(batch.institution);
    for (const Person& p : state.population.persons()) {
        if (!p.assistance || p.assistance->prefecture != area || (p.validity != '1' && p.validity != '2') ||
            !assistedIn(*p.assistance, batch.treatmentMonth))
            continue;
        ResultExtras e = resultExtras(&p, batch.institution, header.confirmationDate, state);
        e.treatmentMonth = batch.treatmentMonth;
        units.push_back({&p, std::move(e)});
    }
    return medicalAidResultDocument(header, batch.reception, units, state.population);
}

StoredAnswer handleBatchResult(const ApiCall& call, SimState& state) {
    const std::string& reception = call.params.at(0);
    auto batch = state.batches.find(reception, call.institution);
    if (!batch) return errorAnswer(SimError::UnknownReception, {"", call.institution, ""});
    AnswerHeader header = answerHeader(batch->request.header, call.institution);
    if (!batchReady(*batch, state))
        return {202, batchPendingDocument(header, reception), {{"Retry-After", "1"}}};
    if (batch->kind == BatchKind::HomeConsent) return {200, homeConsentResult(*batch, header, state), {}};
    if (batch->kind == BatchKind::MedicalAid) return {200, medicalAidResult(*batch, header, state), {}};
    std::vector<BatchUnit> units;
    units.reserve(batch->request.searches.size());
    for (const SearchInfo& search : batch->request.searches) {
        BatchUnit unit;
        if (auto canned = state.canned.take(CannedKind::Batch, search)) {
            unit.canned = canned->document;
            unit.cannedStatus = canned->status;
        } else {
            unit.outcome = answerSearch(state.population, search);
            unit.extras = resultExtras(unit.outcome.person, call.institution, header.confirmationDate, state);
        }
        units.push_back(std::move(unit));
    }
    return {200, batchResultDocument(header, reception, batch->request.searches, units, state.population), {}};
}

// --- POST /v1/medical-aid/batches (OQSmutic01) ---

StoredAnswer handleMedicalAidUpload(const ApiCall& call, SimState& state) {
    XmlMsgRead read = readXmlMsg(call.body);
    if (!read.ok) return errorAnswer(SimError::MalformedXml, {"", call.institution, ""}, read.error);
    RequestHeader requestHeader{read.header.childText("QualificationConfirmationDate"),
                                read.header.childText("MedicalInstitutionCode"),
                                read.header.childText("ArbitraryFileIdentifier")};
    AnswerHeader header = answerHeader(requestHeader, call.institution);
    StoredAnswer refusal;
    if (!ownInstitution(requestHeader.institutionCode, call.institution, header, refusal)) return refusal;
    std::string month;
    if (const XmlElement* search = read.body.child("QualificationConfirmSearchInfo"))
        month = trimmed(search->childText("MedicalTreatmentMonth"));
    if (month.empty()) month = trimmed(read.body.childText("MedicalTreatmentMonth"));
    if (month.empty())
        return errorAnswer(SimError::BadRequestContent, header,
                           "QualificationConfirmSearchInfo/MedicalTreatmentMonth is missing");
    if (!isMonth6(month)) return errorAnswer(SimError::InvalidValue, header, "MedicalTreatmentMonth is not a YYYYMM month");
    auto batch = state.batches.addMedicalAid(call.institution, std::move(requestHeader), month);
    return {202, batchReceptionDocument(header, batch->reception, batch->receptionDateTime),
            {{"Location", "/v1/qualifications/batches/" + batch->reception}}};
}

}  // namespace

const std::vector<ApiRoute>& apiRoutes() {
    static const std::vector<ApiRoute> routes = {
        {"POST", "/v1/qualifications/inquiry", "single qualification check (OQSsiquc01)", false, true, false, handleInquiry},
        {"POST", "/v1/qualifications/batches", "batch check upload (OQSmuquc01)", false, true, false, handleBatchUpload},
        {"GET", "/v1/qualifications/batches/{reception}", "batch result, also of home-consent and medical-aid requests (OQSmuquc02, OQSmuhvq02, OQSmuonq02, OQSmutic02)", true, true, false, handleBatchResult},
        {"POST", "/v1/medical-aid/batches", "medical-aid (医療扶助) persons of a month (OQSmutic01)", false, true, false, handleMedicalAidUpload},
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
