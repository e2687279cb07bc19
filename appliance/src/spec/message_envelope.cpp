// The XmlMsg envelope and the MessageHeader of requests and results (docs/file-interface.md §4), written in the
// documented element order and read in any order.
#include "model/errors.hpp"
#include "model/japan_date.hpp"
#include "spec/message_parts.hpp"

namespace kh::spec::detail {
namespace {
using model::ErrorId;
using model::KakehashiError;
}  // namespace

void addIfPresent(XmlElement& parent, const char* name, const std::string& text) {
    if (!text.empty()) parent.add(name, text);
}

XmlElement newMessage() {
    XmlElement message{"XmlMsg", {}, {}};
    message.add("MessageHeader");
    message.add("MessageBody");
    return message;
}

XmlElement& headerOf(XmlElement& message) { return message.children.at(0); }
XmlElement& bodyOf(XmlElement& message) { return message.children.at(1); }

const XmlElement& requireBody(const XmlElement& root) {
    const XmlElement* body = root.name == "XmlMsg" ? root.child("MessageBody") : nullptr;
    if (!body) throw KakehashiError(ErrorId::UnknownMessage, "not an XmlMsg document with a MessageBody");
    return *body;
}

const XmlElement& headerOrEmpty(const XmlElement& root) {
    static const XmlElement kEmpty{};
    const XmlElement* header = root.child("MessageHeader");
    return header ? *header : kEmpty;
}

RequestHeader decodeRequestHeader(const XmlElement& header) {
    RequestHeader h;
    h.confirmationDate = header.childText("QualificationConfirmationDate");
    h.institutionCode = header.childText("MedicalInstitutionCode");
    h.arbitraryFileIdentifier = header.childText("ArbitraryFileIdentifier");
    return h;
}

void encodeRequestHeader(XmlElement& header, const RequestHeader& h, bool withConfirmationDate) {
    if (withConfirmationDate)
        header.add("QualificationConfirmationDate", h.confirmationDate);
    else
        addIfPresent(header, "QualificationConfirmationDate", h.confirmationDate);
    header.add("MedicalInstitutionCode", h.institutionCode);
    addIfPresent(header, "ArbitraryFileIdentifier", h.arbitraryFileIdentifier);
}

ResultHeader decodeResultHeader(const XmlElement& header) {
    ResultHeader h;
    h.processExecutionTime = header.childText("ProcessExecutionTime");
    h.confirmationDate = header.childText("QualificationConfirmationDate");
    h.institutionCode = header.childText("MedicalInstitutionCode");
    h.arbitraryFileIdentifier = header.childText("ArbitraryFileIdentifier");
    h.referenceClassification = header.childText("ReferenceClassification");
    h.segmentOfResult = header.childText("SegmentOfResult");
    h.errorCode = header.childText("ErrorCode");
    h.errorMessage = header.childText("ErrorMessage");
    h.characterCodeIdentifier = header.childText("CharacterCodeIdentifier");
    return h;
}

void encodeResultHeader(XmlElement& header, const ResultHeader& h) {
    header.add("ProcessExecutionTime", h.processExecutionTime);
    header.add("QualificationConfirmationDate", h.confirmationDate);
    header.add("MedicalInstitutionCode", h.institutionCode);
    header.add("ArbitraryFileIdentifier", h.arbitraryFileIdentifier);
    header.add("ReferenceClassification", h.referenceClassification);
    header.add("SegmentOfResult", h.segmentOfResult);
    addIfPresent(header, "ErrorCode", h.errorCode);
    addIfPresent(header, "ErrorMessage", h.errorMessage);
    header.add("CharacterCodeIdentifier", h.characterCodeIdentifier);
}

}  // namespace kh::spec::detail

namespace kh::spec {
ResultHeader answerHeader(const RequestHeader& request, Encoding encoding) {
    ResultHeader h;
    h.processExecutionTime = model::japanTimestamp();
    h.confirmationDate = request.confirmationDate.empty() ? model::JapanDate::today().str() : request.confirmationDate;
    h.institutionCode = request.institutionCode;
    h.arbitraryFileIdentifier = request.arbitraryFileIdentifier;
    h.characterCodeIdentifier = encoding == Encoding::ShiftJis ? "1" : "0";
    return h;
}

RequestHeader decodeAnyRequestHeader(const XmlElement& root) { return detail::decodeRequestHeader(detail::headerOrEmpty(root)); }
}  // namespace kh::spec
