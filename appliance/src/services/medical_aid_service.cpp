#include "services/medical_aid_service.hpp"

#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "services/upstream_failure.hpp"

namespace kh::services {

upstream::BatchReceipt MedicalAidService::request(const std::string& month, const std::string& fileIdentifier) {
    auto receipt = central_.requestMedicalAidList(crypto::uuid4(), month, fileIdentifier);
    if (!receipt.ok()) throwFailure(receipt.failure, "medical aid list");
    log::info("medical_aid.requested", {{"month", month}, {"reception", receipt.answer->receptionNumber}});
    return *receipt.answer;
}

std::optional<std::vector<model::EligibilityResult>> MedicalAidService::results(const std::string& receptionNumber) {
    auto download = central_.downloadBatch(receptionNumber, upstream::BatchKind::MedicalAid);
    if (!download.ok()) throwFailure(download.failure, "medical aid list");
    if (download.answer->processing) return std::nullopt;
    log::info("medical_aid.answered", {{"reception", receptionNumber}, {"units", std::to_string(download.answer->units.size())}});
    return std::move(download.answer->units);
}

}  // namespace kh::services
