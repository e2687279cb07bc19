// OQSsiimm01 / OQSmuimm01 / OQSmuimm02: ReferenceNumberRegistrationInfo and ReferenceNumberRegistrationResult.
#include "spec/reference_number_messages.hpp"

#include <algorithm>

#include "spec/message_parts.hpp"

namespace kh::spec {
namespace {
using namespace detail;

constexpr const char kInfo[] = "ReferenceNumberRegistrationInfo";
constexpr const char kResult[] = "ReferenceNumberRegistrationResult";
constexpr const char kUnit[] = "BulkRegistrationUnit";

model::ReferenceNumberRegistration decodeInfo(const XmlElement& info) {
    model::ReferenceNumberRegistration r;
    r.referenceNumber = info.childText("ReferenceNumber");
    r.insured.insurerNumber = info.childText("InsurerNumber");
    r.insured.cardSymbol = info.childText("InsuredCardSymbol");
    r.insured.cardNumber = info.childText("InsuredIdentificationNumber");
    r.insured.branchNumber = info.childText("InsuredBranchNumber");
    return r;
}

void encodeInfo(XmlElement& parent, const model::ReferenceNumberRegistration& r) {
    XmlElement& info = parent.add(kInfo);
    info.add("ReferenceNumber", r.referenceNumber);
    info.add("InsurerNumber", r.insured.insurerNumber);
    addIfPresent(info, "InsuredCardSymbol", r.insured.cardSymbol);
    info.add("InsuredIdentificationNumber", r.insured.cardNumber);
    addIfPresent(info, "InsuredBranchNumber", r.insured.branchNumber);
}

model::ReferenceNumberResult decodeOneResult(const XmlElement& e) {
    return {e.childText("ReferenceNumber"), e.childText("ProcessingResultStatus"),
            e.childText("ProcessingResultCode"), e.childText("ProcessingResultMessage")};
}

void encodeOneResult(XmlElement& parent, const model::ReferenceNumberResult& r) {
    XmlElement& e = parent.add(kResult);
    e.add("ReferenceNumber", r.referenceNumber);
    e.add("ProcessingResultStatus", r.processingStatus);
    addIfPresent(e, "ProcessingResultCode", r.processingCode);
    addIfPresent(e, "ProcessingResultMessage", r.processingMessage);
}

// Elements named `name` in the body, directly or one level down in BulkRegistrationUnit, in document order.
std::vector<const XmlElement*> entries(const XmlElement& body, const char* name) {
    std::vector<const XmlElement*> found;
    for (const XmlElement& c : body.children) {
        if (c.name == name) found.push_back(&c);
        if (c.name == kUnit)
            for (const XmlElement* inner : c.childrenNamed(name)) found.push_back(inner);
    }
    return found;
}

// A batch result's header: the reception number and the counts.
void encodeBatchCounts(XmlElement& header, const std::string& receptionNumber, size_t total, size_t normal) {
    header.add("ReceptionNumber", receptionNumber);
    header.add("NumberOfProcessingResult", std::to_string(total));
    header.add("NumberOfNormalProcessing", std::to_string(normal));
    header.add("NumberOfError", std::to_string(total - normal));
}
}  // namespace

ReferenceNumberRequest decodeReferenceNumberRequest(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    ReferenceNumberRequest m;
    m.header = decodeRequestHeader(headerOrEmpty(root));
    const auto found = entries(body, kInfo);
    if (!found.empty()) m.registration = decodeInfo(*found.front());
    return m;
}

ReferenceNumberBatchRequest decodeReferenceNumberBatchRequest(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    ReferenceNumberBatchRequest m;
    m.header = decodeRequestHeader(headerOrEmpty(root));
    for (const XmlElement* info : entries(body, kInfo)) m.registrations.push_back(decodeInfo(*info));
    return m;
}

ReferenceNumberResponse decodeReferenceNumberResponse(const XmlElement& root) {
    const XmlElement& body = requireBody(root);
    const XmlElement& header = headerOrEmpty(root);
    ReferenceNumberResponse m;
    m.header = decodeResultHeader(header);
    m.receptionNumber = header.child("ReceptionNumber") ? header.childText("ReceptionNumber")
                                                         : body.childText("ReceptionNumber");
    for (const XmlElement& c : body.children) {
        if (c.name == kResult) m.results.push_back(decodeOneResult(c));
        if (c.name != kUnit) continue;
        for (const XmlElement* result : c.childrenNamed(kResult)) m.results.push_back(decodeOneResult(*result));
        if (const XmlElement* status = c.child("ProcessingResultStatus")) {
            const XmlElement* info = c.child(kInfo);
            m.results.push_back({info ? info->childText("ReferenceNumber") : c.childText("ReferenceNumber"), status->text,
                                 c.childText("ProcessingResultCode"), c.childText("ProcessingResultMessage")});
        }
    }
    return m;
}

XmlElement encode(const ReferenceNumberRequest& m) {
    XmlElement message = newMessage();
    encodeRequestHeader(headerOf(message), m.header, false);
    encodeInfo(bodyOf(message), m.registration);
    return message;
}

XmlElement encode(const ReferenceNumberBatchRequest& m) {
    XmlElement message = newMessage();
    encodeRequestHeader(headerOf(message), m.header, false);
    for (const auto& r : m.registrations) encodeInfo(bodyOf(message).add(kUnit), r);
    return message;
}

XmlElement encode(const ReferenceNumberResponse& m) {
    XmlElement message = newMessage();
    encodeResultHeader(headerOf(message), m.header);
    if (!m.receptionNumber.empty()) {
        const auto normal = std::count_if(m.results.begin(), m.results.end(), [](const auto& r) { return r.processingStatus == "1"; });
        encodeBatchCounts(headerOf(message), m.receptionNumber, m.results.size(), static_cast<size_t>(normal));
    }
    for (const auto& r : m.results) encodeOneResult(bodyOf(message), r);
    return message;
}

XmlElement encode(const ReferenceNumberBatchResultResponse& m) {
    XmlElement message = newMessage();
    encodeResultHeader(headerOf(message), m.header);
    const auto normal = std::count_if(m.units.begin(), m.units.end(), [](const auto& u) { return u.result.processingStatus == "1"; });
    encodeBatchCounts(headerOf(message), m.receptionNumber, m.units.size(), static_cast<size_t>(normal));
    for (const auto& u : m.units) {
        XmlElement& unit = bodyOf(message).add(kUnit);
        encodeInfo(unit, u.registration);
        unit.add("ProcessingResultStatus", u.result.processingStatus);
        addIfPresent(unit, "ProcessingResultCode", u.result.processingCode);
        addIfPresent(unit, "ProcessingResultMessage", u.result.processingMessage);
    }
    return message;
}

}  // namespace kh::spec
