// Pieces shared by the eligibility messages (private to spec/): the XmlMsg envelope, request and result
// headers, and the result of one inquiry in its single (OQSsiquc01res) and batch (BulkConfirmUnit) layouts.
#pragma once
#include <string>

#include "spec/messages.hpp"

namespace kh::spec::detail {

// Adds `name` with `text` only when the text is not empty (optional elements are written only when set).
void addIfPresent(XmlElement& parent, const char* name, const std::string& text);

// The envelope: <XmlMsg><MessageHeader/><MessageBody/></XmlMsg>.
XmlElement newMessage();
XmlElement& headerOf(XmlElement& message);
XmlElement& bodyOf(XmlElement& message);
// Reading: the body is required (UnknownMessage otherwise, as is a root other than XmlMsg); a missing
// header reads as an empty one.
const XmlElement& requireBody(const XmlElement& root);
const XmlElement& headerOrEmpty(const XmlElement& root);

RequestHeader decodeRequestHeader(const XmlElement& header);
void encodeRequestHeader(XmlElement& header, const RequestHeader& h, bool withConfirmationDate);
ResultHeader decodeResultHeader(const XmlElement& header);
void encodeResultHeader(XmlElement& header, const ResultHeader& h);

// QualificationValidity code → enum (Unknown for codes outside 1–6), and the code to write for a result.
model::Validity validityFromCode(const std::string& code);
std::string validityCode(const model::EligibilityResult& r);

// Reads status, code, message, validity, echoed search info and the record from a body or a BulkConfirmUnit.
model::EligibilityResult decodeResult(const XmlElement& parent);
void encodeSingleResult(XmlElement& body, const model::EligibilityResult& r);
void encodeBatchUnit(XmlElement& unit, const model::EligibilityResult& r);

}  // namespace kh::spec::detail
