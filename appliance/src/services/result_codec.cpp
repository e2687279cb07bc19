#include "services/result_codec.hpp"


namespace kh::services {
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
