// The answer documents of profile v1, written as the spec's XmlMsg: OQSsiquc01res (single check),
// OQSmuquc01res / OQSmutic01res (batch reception), OQSmuquc02res (batch result, or "still processing"),
// the home-consent list (OQSmuhvq02res / OQSmuonq02res), the medical-aid list (OQSmutic02res), the
// reference-number registration result (OQSsiimm01res / OQSmuimm01res), and the error document
// (SegmentOfResult 9 with ErrorCode / ErrorMessage) used for every refused request.
//
// A person's result is one ResultOfQualificationConfirmation, or two for a 社保 member who also receives
// 医療扶助 (the insurance record, then the A1 record); a person with 医療扶助 only has the A1 record.
// Their children follow the layout order of the field lists (the notes' §1.4).
#pragma once
#include <optional>
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

// What a person's records carry besides the person, for one institution at one moment.
struct ResultExtras {
    std::string referenceNumber;          // the institution's 照会番号 for the person, or empty
    std::optional<ConsentBlock> consent;  // outpatient (checks) or home (consent lists); flags 0 when none
    std::string institution;              // the asking institution: 医療券 are issued to it
    std::string treatmentMonth;           // YYYYMM the 医療券 shown are for
};

// One ReferenceNumberRegistrationResult.
struct RegistrationResult {
    std::string referenceNumber, insurerNumber, cardSymbol, cardNumber, branchNumber;  // echoed as received
    std::string status, code, message;  // ProcessingResultStatus 1/2, code and message (empty on success)
};

// One unit of a batch result as it stands at download: canned (the document a test set, written
// verbatim, with its ProcessingResultStatus) or made from the outcome.
struct BatchUnit {
    QualificationOutcome outcome;
    ResultExtras extras;
    std::string canned;  // a whole <BulkConfirmUnit> element, or empty
    std::string cannedStatus;
};

// One unit of a medical-aid list: a person assisted in the month, with the institution's extras.
struct MedicalAidUnit {
    const Person* person = nullptr;
    ResultExtras extras;
};

std::string qualificationResultDocument(const AnswerHeader& header, const SearchInfo& search,
                                        const QualificationOutcome& outcome, const Population& population,
                                        const ResultExtras& extras = {});
std::string batchReceptionDocument(const AnswerHeader& header, const std::string& reception,
                                   const std::string& receptionDateTime);
std::string batchPendingDocument(const AnswerHeader& header, const std::string& reception);
// units: one per search, in upload order.
std::string batchResultDocument(const AnswerHeader& header, const std::string& reception,
                                const std::vector<SearchInfo>& searches, const std::vector<BatchUnit>& units,
                                const Population& population);
// The consented patients of a home-consent request: one BulkConfirmUnit per consent, with
// MedicalTreatmentFlag, ExaminationDate, the records with the consent block; extras one per consent.
std::string homeConsentResultDocument(const AnswerHeader& header, const std::string& reception,
                                      const std::vector<Consent>& consents, const std::vector<ResultExtras>& extras,
                                      const Population& population);
// The persons of the institution's area assisted in the month: one BulkConfirmUnit each.
std::string medicalAidResultDocument(const AnswerHeader& header, const std::string& reception,
                                     const std::vector<MedicalAidUnit>& units, const Population& population);
std::string registrationResultDocument(const AnswerHeader& header, const std::vector<RegistrationResult>& results);
std::string errorDocument(const AnswerHeader& header, const std::string& code, const std::string& message);
// A truncated document, for the "malformed" fault.
std::string malformedDocument();

}  // namespace ksim
