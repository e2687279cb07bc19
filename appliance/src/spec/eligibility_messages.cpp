// The six eligibility-check messages (資格確認): OQSsiquc01 req/res (single), OQSmuquc01 req/res (batch
// upload → reception number) and OQSmuquc02 req/res (batch download by reception number).
#include <algorithm>

#include "spec/message_parts.hpp"

namespace kh::spec {
namespace {
using namespace detail;

bool isNormal(const model::BatchUnit& u) { return u.processingStatus == "1"; }

// 02res header: the reception number and the counts, computed from the units.
void encodeBatchCounts(XmlElement& header, const BatchResultResponse& m) {
    const auto normal = static_cast<size_t>(std::count_if(m.units.begin(), m.units.end(), isNormal));
    header.add("ReceptionNumber", m.receptionNumber);
    header.add("NumberOfProcessingResult", std::to_string(m.units.size()));
    header.add("NumberOfNormalProcessing", std::to_string(normal));
    header.add("NumberOfError", std::to_string(m.units.size() - normal));
}
}  // namespace

SingleInquiryRequest decodeSingleInquiryRequest(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    SingleInquiryRequest m;
    m.header = decodeRequestHeader(headerOrEmpty(root));
    if (const XmlElement* info = body.child("QualificationConfirmSearchInfo")) m.inquiry = decodeSearchInfo(*info);
    return m;
}

BatchUploadRequest decodeBatchUploadRequest(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    BatchUploadRequest m;
    m.header = decodeRequestHeader(headerOrEmpty(root));
    for (const XmlElement* info : body.childrenNamed("QualificationConfirmSearchInfo"))
        m.inquiries.push_back(decodeSearchInfo(*info));
    return m;
}

BatchDownloadRequest decodeBatchDownloadRequest(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    BatchDownloadRequest m;
    m.header = decodeRequestHeader(headerOrEmpty(root));
    m.receptionNumber = body.childText("ReceptionNumber");
    return m;
}

SingleInquiryResponse decodeSingleInquiryResponse(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    SingleInquiryResponse m;
    m.header = decodeResultHeader(headerOrEmpty(root));
    if (!body.children.empty()) m.result = decodeResult(body);  // an empty body: whole-message error
    if (m.result) m.result->answeredAt = m.header.processExecutionTime;
    return m;
}

BatchAcceptedResponse decodeBatchAcceptedResponse(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    BatchAcceptedResponse m;
    m.header = decodeResultHeader(headerOrEmpty(root));
    m.receptionNumber = body.childText("ReceptionNumber");
    m.receptionDateTime = body.childText("ReceptionDateTime");
    return m;
}

BatchResultResponse decodeBatchResultResponse(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    const XmlElement& header = headerOrEmpty(root);
    BatchResultResponse m;
    m.header = decodeResultHeader(header);
    m.receptionNumber = header.child("ReceptionNumber") ? header.childText("ReceptionNumber")
                                                         : body.childText("ReceptionNumber");
    for (const XmlElement* unit : body.childrenNamed("BulkConfirmUnit")) {
        m.units.push_back(decodeResult(*unit));
        m.units.back().answeredAt = m.header.processExecutionTime;
    }
    return m;
}

XmlElement encode(const SingleInquiryRequest& m) {
    XmlElement message = newMessage();
    encodeRequestHeader(headerOf(message), m.header, true);
    encodeSearchInfo(bodyOf(message), m.inquiry);
    return message;
}

XmlElement encode(const BatchUploadRequest& m) {
    XmlElement message = newMessage();
    encodeRequestHeader(headerOf(message), m.header, true);
    for (const auto& inquiry : m.inquiries) encodeSearchInfo(bodyOf(message), inquiry);
    return message;
}

XmlElement encode(const BatchDownloadRequest& m) {
    XmlElement message = newMessage();
    encodeRequestHeader(headerOf(message), m.header, false);
    bodyOf(message).add("ReceptionNumber", m.receptionNumber);
    return message;
}

XmlElement encode(const SingleInquiryResponse& m) {
    XmlElement message = newMessage();
    encodeResultHeader(headerOf(message), m.header);
    if (m.result) encodeSingleResult(bodyOf(message), *m.result);
    return message;
}

XmlElement encode(const BatchAcceptedResponse& m) {
    XmlElement message = newMessage();
    encodeResultHeader(headerOf(message), m.header);
    bodyOf(message).add("ReceptionNumber", m.receptionNumber);
    bodyOf(message).add("ReceptionDateTime", m.receptionDateTime);
    return message;
}

XmlElement encode(const BatchResultResponse& m) {
    XmlElement message = newMessage();
    encodeResultHeader(headerOf(message), m.header);
    encodeBatchCounts(headerOf(message), m);
    for (const auto& unit : m.units) encodeBatchUnit(bodyOf(message).add("BulkConfirmUnit"), unit);
    return message;
}

}  // namespace kh::spec
