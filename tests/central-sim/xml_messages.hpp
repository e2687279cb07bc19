// The answer documents of profile v1, written as the spec's XmlMsg: OQSsiquc01res (single check),
// OQSmuquc01res (batch reception), OQSmuquc02res (batch result, or "still processing"), the home-consent
// list (OQSmuhvq02res / OQSmuonq02res), the reference-number registration result (OQSsiimm01res /
// OQSmuimm01res), and the error document (SegmentOfResult 9 with ErrorCode / ErrorMessage) used for
// every refused request.
#pragma once
#include <string>
#include <vector>

#include "consents.hpp"
#include "population.hpp"
#include "qualification.hpp"
#include "xml_reader.hpp"

namespace ksim {

// What an answer's MessageHeader echoes from the request.
struct AnswerHeader {
    std::string confirmationDate, institutionCode, arbitraryFileIdentifier;
};

// What a ResultOfQualificationConfirmation carries besides the person: the reference number the
// institution registered, and for home-consent lists the consent block.
struct ResultExtras {
    std::string referenceNumber;
    const Consent* consent = nullptr;
};

// One ReferenceNumberRegistrationResult.
struct RegistrationResult {
    std::string referenceNumber, insurerNumber, cardSymbol, cardNumber, branchNumber;  // echoed as received
    std::string status, code, message;  // ProcessingResultStatus 1/2, code and message (empty on success)
};

std::string qualificationResultDocument(const AnswerHeader& header, const SearchInfo& search,
                                        const QualificationOutcome& outcome, const Population& population,
                                        const ResultExtras& extras = {});
std::string batchReceptionDocument(const AnswerHeader& header, const std::string& reception,
                                   const std::string& receptionDateTime);
std::string batchPendingDocument(const AnswerHeader& header, const std::string& reception);
// extras: one per outcome, or empty.
std::string batchResultDocument(const AnswerHeader& header, const std::string& reception,
                                const std::vector<SearchInfo>& searches,
                                const std::vector<QualificationOutcome>& outcomes,
                                const Population& population, const std::vector<ResultExtras>& extras = {});
// The consented patients of a home-consent request: one BulkConfirmUnit per consent, with
// MedicalTreatmentFlag, ExaminationDate, the result and the consent block; referenceNumbers one per consent.
std::string homeConsentResultDocument(const AnswerHeader& header, const std::string& reception,
                                      const std::vector<Consent>& consents,
                                      const std::vector<std::string>& referenceNumbers,
                                      const Population& population);
std::string registrationResultDocument(const AnswerHeader& header, const std::vector<RegistrationResult>& results);
std::string errorDocument(const AnswerHeader& header, const std::string& code, const std::string& message);
// A truncated document, for the "malformed" fault.
std::string malformedDocument();

}  // namespace ksim
