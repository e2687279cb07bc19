#include "services/result_codec.hpp"

#include "spec/messages.hpp"
#include "spec/xml.hpp"

namespace kh::services {
namespace {
const char* validityCode(const model::EligibilityResult& r) {
    return r.validityRaw.empty() && r.validity != model::Validity::Unknown ? nullptr : r.validityRaw.c_str();
}
}  // namespace

std::string serialiseInquiry(const model::EligibilityInquiry& q) {
    spec::XmlElement root{"Stored", {}, {}};
    spec::encodeSearchInfo(root, q);
    return spec::writeXml(root, spec::Encoding::Utf8);
}

model::EligibilityInquiry parseInquiry(const std::string& stored) {
    auto doc = spec::parseXml(stored);
    const auto* info = doc.root.child("QualificationConfirmSearchInfo");
    return info ? spec::decodeSearchInfo(*info) : model::EligibilityInquiry{};
}

std::string serialiseResult(const model::EligibilityResult& r) {
    spec::XmlElement root{"Stored", {}, {}};
    root.add("ProcessingResultStatus", r.processingStatus);
    root.add("ProcessingResultCode", r.processingCode);
    root.add("ProcessingResultMessage", r.processingMessage);
    const char* raw = validityCode(r);
    root.add("QualificationValidity", raw ? raw : std::to_string(int(r.validity)));
    spec::encodeSearchInfo(root, r.inquiry);
    if (r.record) spec::encodeRecord(root, *r.record);
    return spec::writeXml(root, spec::Encoding::Utf8);
}

model::EligibilityResult parseResult(const std::string& stored) {
    auto doc = spec::parseXml(stored);
    const auto& root = doc.root;
    model::EligibilityResult r;
    r.processingStatus = root.childText("ProcessingResultStatus");
    r.processingCode = root.childText("ProcessingResultCode");
    r.processingMessage = root.childText("ProcessingResultMessage");
    r.validityRaw = root.childText("QualificationValidity");
    int v = r.validityRaw.size() == 1 ? r.validityRaw[0] - '0' : 0;
    r.validity = v >= 1 && v <= 6 ? model::Validity(v) : model::Validity::Unknown;
    if (const auto* info = root.child("QualificationConfirmSearchInfo")) r.inquiry = spec::decodeSearchInfo(*info);
    if (const auto* rec = root.child("ResultOfQualificationConfirmation")) r.record = spec::decodeRecord(*rec);
    return r;
}

model::EligibilityResult errorResult(const model::EligibilityInquiry& q, model::ErrorId id, const std::string& detail) {
    const auto& info = model::errorInfo(id);
    model::EligibilityResult r;
    r.processingStatus = "2";
    r.processingCode = info.code;
    r.processingMessage = std::string(info.title) + (detail.empty() ? "" : "：" + detail);
    r.inquiry = q;
    return r;
}

}  // namespace kh::services
