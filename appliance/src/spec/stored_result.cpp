#include "spec/stored_result.hpp"

#include "spec/messages.hpp"
#include "spec/xml.hpp"

namespace kh::spec {

std::string serialiseInquiry(const model::EligibilityInquiry& q) {
    XmlElement root{"Stored", {}, {}};
    encodeSearchInfo(root, q);
    return writeXml(root, Encoding::Utf8);
}

model::EligibilityInquiry parseInquiry(const std::string& stored) {
    auto doc = parseXml(stored);
    const auto* info = doc.root.child("QualificationConfirmSearchInfo");
    return info ? decodeSearchInfo(*info) : model::EligibilityInquiry{};
}

// <Stored><AnsweredAt/><Unit>…</Unit></Stored>: the answer as the central system gave it (its elements
// verbatim), or, for an answer made here, its fields in the batch-unit layout.
std::string serialiseResult(const model::EligibilityResult& r) {
    XmlElement root{"Stored", {}, {}};
    if (!r.answeredAt.empty()) root.add("AnsweredAt", r.answeredAt);
    XmlElement& unit = root.add("Unit");
    if (r.received) unit.children = r.received->children;
    else encodeUnit(unit, r);
    return writeXml(root, Encoding::Utf8);
}

model::EligibilityResult parseResult(const std::string& stored) {
    auto doc = parseXml(stored);
    const auto& root = doc.root;
    if (const auto* unit = root.child("Unit")) {
        auto r = decodeUnit(*unit);
        r.answeredAt = root.childText("AnsweredAt");
        if (r.validityRaw.empty() && r.processingStatus != "1") r.validity = model::Validity::Unknown;
        return r;
    }
    // Written by an earlier release: the fields alone, no document to re-emit.
    auto r = decodeUnit(root);
    r.received.reset();
    return r;
}

}  // namespace kh::spec
