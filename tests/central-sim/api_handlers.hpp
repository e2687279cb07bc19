// The endpoints of profile v1 and their route table: the qualification check, batch upload and batch
// result here; the home-consent endpoints (URL, consented patients, reference numbers, medical
// information, withdrawals) in home_consent_handlers.cpp; the identity endpoints (challenge, card or
// visual check) in identity_handlers.cpp. Handlers get a request that already passed mTLS,
// X-Request-Id, faults and idempotency (api_server.cpp).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "request_log.hpp"
#include "sim_errors.hpp"
#include "sim_state.hpp"
#include "xml_messages.hpp"

namespace ksim {

struct ApiCall {
    std::string method, path, requestId;
    std::string institution;  // from the client certificate; empty when it names none
    std::string body;
    std::vector<std::string> params;  // the {…} segments of the route pattern
    std::vector<std::pair<std::string, std::string>> query;  // decoded query parameters, in order

    std::string queryValue(const std::string& name) const {
        for (const auto& [key, value] : query)
            if (key == name) return value;
        return {};
    }
};

using ApiHandler = StoredAnswer (*)(const ApiCall& call, SimState& state);

struct ApiRoute {
    const char* method;
    const char* pattern;
    const char* summary;
    bool safe;         // GET: evaluated afresh on every arrival, never replayed
    bool implemented;
    bool json;         // answers JSON (the "malformed" fault then sends truncated JSON)
    ApiHandler handle;
};

const std::vector<ApiRoute>& apiRoutes();

// An error document answer (SegmentOfResult 9); message empty = the table's default.
StoredAnswer errorAnswer(SimError error, const AnswerHeader& header = {}, const std::string& message = "");
// The header an answer echoes: the request's date (today when absent), the certificate's institution.
AnswerHeader answerHeader(const RequestHeader& request, const std::string& institution);
// The MedicalInstitutionCode check every XmlMsg request passes: missing 400 SIM-4003, another
// institution 403 SIM-4031. True when the body speaks for the certificate's institution.
bool ownInstitution(const std::string& named, const std::string& institution, const AnswerHeader& header,
                    StoredAnswer& refusal);
// What the person's records carry for the institution: its reference number, the outpatient consent
// block in effect there, and the 医療券 of the month of confirmationDate (today's when not a date).
ResultExtras resultExtras(const Person* person, const std::string& institution, const std::string& confirmationDate,
                          const SimState& state);
// The whole OQSsiquc01res for one search: the canned document when a test set one for its identifiers,
// else the answer from the population. The single check and the identity verify answer with it.
std::string inquiryDocument(const AnswerHeader& header, const SearchInfo& search, SimState& state);

}  // namespace ksim
