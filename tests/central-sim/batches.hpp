// Uploaded batch checks (一括照会, OQSmuquc01), home-consent requests (OQSmuhvq01 / OQSmuonq01) and
// medical-aid requests (OQSmutic01) waiting for download: each gets a unique ReceptionNumber ("R" + 15 digits) and becomes ready a set
// delay after upload. Only the institution that uploaded a batch can see it. Keeps the newest 10,000.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "consents.hpp"
#include "xml_reader.hpp"

namespace ksim {

enum class BatchKind { Qualification, HomeConsent, MedicalAid };

struct Batch {
    std::string reception;
    std::string institution;
    std::string receptionDateTime;  // YYYYMMDDHHmmss, JST
    std::chrono::steady_clock::time_point uploadedAt;
    BatchKind kind = BatchKind::Qualification;
    QualificationRequest request;   // for HomeConsent and MedicalAid only the header is set
    std::vector<Consent> consents;  // HomeConsent: the matching consents, as they were at upload
    std::string treatmentMonth;     // MedicalAid: the YYYYMM asked for
};

class Batches {
public:
    // Stores the batch and returns it with its ReceptionNumber and times set.
    std::shared_ptr<const Batch> add(const std::string& institution, QualificationRequest request);
    std::shared_ptr<const Batch> addHomeConsent(const std::string& institution, RequestHeader header,
                                                std::vector<Consent> consents);
    std::shared_ptr<const Batch> addMedicalAid(const std::string& institution, RequestHeader header,
                                               std::string treatmentMonth);
    // The batch, or nothing when unknown or uploaded by another institution.
    std::shared_ptr<const Batch> find(const std::string& reception, const std::string& institution) const;
    std::size_t size() const;
    // Forgets every batch; reception numbers keep counting, so an old number never names a new batch.
    void clear();

private:
    std::shared_ptr<const Batch> store(std::shared_ptr<Batch> batch);

    mutable std::mutex mutex_;
    std::uint64_t counter_ = 0;
    std::unordered_map<std::string, std::shared_ptr<const Batch>> batches_;
    std::deque<std::string> order_;
};

}  // namespace ksim
