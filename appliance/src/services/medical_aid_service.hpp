// 医療扶助 of a month (OQSmutic): a receipt computer asks, in two phases, for the 医療扶助 qualifications of the
// patients it saw in one month. Kakehashi asks the central system (or the terminal) in the same two phases and
// passes the answer on whole. Nothing is kept here: both phases are reads that the receipt computer repeats
// after a failure, and the reception number it follows is the central system's own.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/eligibility.hpp"
#include "upstream/central_client.hpp"

namespace kh::services {

class MedicalAidService {
public:
    explicit MedicalAidService(upstream::CentralClient& central) : central_(central) {}
    // `month` yyyyMM. Throws KakehashiError UpstreamUnavailable (ask again later) or UpstreamRejected.
    upstream::BatchReceipt request(const std::string& month, const std::string& fileIdentifier);
    // Every unit as the central system gave it, or nullopt while it is still processing. Throws as request().
    std::optional<std::vector<model::EligibilityResult>> results(const std::string& receptionNumber);

private:
    upstream::CentralClient& central_;
};

}  // namespace kh::services
