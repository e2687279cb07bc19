// The answer documents of profile v1, written as the spec's XmlMsg: OQSsiquc01res (single check),
// OQSmuquc01res (batch reception), OQSmuquc02res (batch result, or "still processing"), and the error
// document (SegmentOfResult 9 with ErrorCode / ErrorMessage) used for every refused request.
#pragma once
#include <string>
#include <vector>

#include "population.hpp"
#include "qualification.hpp"
#include "xml_reader.hpp"

namespace ksim {

// What an answer's MessageHeader echoes from the request.
struct AnswerHeader {
    std::string confirmationDate, institutionCode, arbitraryFileIdentifier;
};

std::string qualificationResultDocument(const AnswerHeader& header, const SearchInfo& search,
                                        const QualificationOutcome& outcome, const Population& population);
std::string batchReceptionDocument(const AnswerHeader& header, const std::string& reception,
                                   const std::string& receptionDateTime);
std::string batchPendingDocument(const AnswerHeader& header, const std::string& reception);
std::string batchResultDocument(const AnswerHeader& header, const std::string& reception,
                                const std::vector<SearchInfo>& searches,
                                const std::vector<QualificationOutcome>& outcomes,
                                const Population& population);
std::string errorDocument(const AnswerHeader& header, const std::string& code, const std::string& message);
// A truncated document, for the "malformed" fault.
std::string malformedDocument();

}  // namespace ksim
