// The HTTP API's JSON requests: inquiries, batches and reference-number registrations. Decoding is strict about types and sizes, names the
// field at fault, and never throws anything but KakehashiError (a fuzz target holds it to that).
#pragma once
#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "endpoint/api_contract.hpp"
#include "model/eligibility.hpp"
#include "model/reference_number.hpp"

namespace kh::endpoint {

// {"insurerNumber","cardSymbol","cardNumber","branchNumber","birthDate","limitCertificateConsent","arbitraryIdentifier"}
model::EligibilityInquiry decodeInquiryRequest(const std::string& body);
// The same fields as a member object of a larger request (a card check's "insured").
model::EligibilityInquiry decodeInquiryObject(const Poco::JSON::Object& o);

// {"fileIdentifier"?: "...", "entries": [ <inquiry>, ... ]}
struct BatchRequest {
    std::string fileIdentifier;
    std::vector<model::EligibilityInquiry> entries;
};
BatchRequest decodeBatchRequest(const std::string& body, size_t maxEntries);

// 照会番号登録: {"entries": [{"referenceNumber","insurerNumber","cardSymbol"?,"cardNumber","branchNumber"?}, ...]}
std::vector<model::ReferenceNumberRegistration> decodeRegistrationRequest(const std::string& body, size_t maxEntries);

// Their schemas, for the OpenAPI document (api_contract.hpp).
const Schema& inquiryRequestSchema();
const Schema& batchRequestSchema();
const Schema& registrationRequestSchema();
// The properties of an inquiry, for requests that carry one among other members (a planned visit).
std::string inquiryProperties();

// The body as a JSON object; KakehashiError(MalformedJson) otherwise.
Poco::JSON::Object::Ptr jsonObject(const std::string& body);
// A string member: "" when absent or null; KakehashiError(InvalidField) naming it when not a string.
std::string stringMember(const Poco::JSON::Object::Ptr& o, const char* key);

}  // namespace kh::endpoint
