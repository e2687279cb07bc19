// JSON answers and requests shared by the control server and the JSON endpoints of the API
// (home-consent URL, withdrawals, identity): answers with their Content-Type, strict reading of string
// fields, the insured identifiers {"insurerNumber","cardSymbol"?,"cardNumber","branchNumber"?,"birthDate"}
// and a person as the control API lists them.
#pragma once
#include <string>

#include <Poco/JSON/Object.h>

#include "population.hpp"
#include "request_log.hpp"

namespace ksim {

extern const char* const kJsonContentType;  // application/json; charset=UTF-8

StoredAnswer jsonAnswer(int status, const Poco::JSON::Object::Ptr& object);
// {"error": message} and, when given, "code".
StoredAnswer jsonError(int status, const std::string& message, const std::string& code = "");

// The body as a JSON object; false with a message otherwise.
bool parseJsonObject(const std::string& body, Poco::JSON::Object::Ptr& object, std::string& error);
// A string member: empty when absent or null; false (with error) when present with another type.
bool stringField(const Poco::JSON::Object::Ptr& object, const std::string& key, std::string& value, std::string& error);

// Reads and checks the identifiers: insurerNumber, cardNumber, birthDate required; the insurer number
// with a valid check digit, a real birth date, a 2-digit branch number when given.
bool readIdentifiers(const Poco::JSON::Object::Ptr& object, SearchKey& key, std::string& error);
// The person's identifiers as the population lists them (insurer number trimmed).
void setIdentifiers(Poco::JSON::Object::Ptr& object, const Person& person, const Population& population);
// The person as /sim/population lists them: the identifiers, insurerName, name, nameKana, sex,
// validity, kind, contributionRatio, elderlyCertificate, limitCertificate, prescriptionIssueSelect,
// specificDiseases, publicAssistance and outpatientConsent (the population's own, as of today).
Poco::JSON::Object::Ptr personJson(const Person& person, const Population& population);

}  // namespace ksim
