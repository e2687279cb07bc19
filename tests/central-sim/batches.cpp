#include "batches.hpp"

#include <cstdio>

#include "japan_time.hpp"

namespace ksim {

namespace {
constexpr std::size_t kMaxBatches = 10000;
}

std::shared_ptr<const Batch> Batches::add(const std::string& institution, QualificationRequest request) {
    auto batch = std::make_shared<Batch>();
    batch->institution = institution;
    batch->request = std::move(request);
    return store(std::move(batch));
}

std::shared_ptr<const Batch> Batches::addHomeConsent(const std::string& institution, RequestHeader header,
                                                     std::vector<Consent> consents) {
    auto batch = std::make_shared<Batch>();
    batch->institution = institution;
    batch->kind = BatchKind::HomeConsent;
    batch->request.header = std::move(header);
    batch->consents = std::move(consents);
    return store(std::move(batch));
}

std::shared_ptr<const Batch> Batches::addMedicalAid(const std::string& institution, RequestHeader header,
                                                    std::string treatmentMonth) {
    auto batch = std::make_shared<Batch>();
    batch->institution = institution;
    batch->kind = BatchKind::MedicalAid;
    batch->request.header = std::move(header);
    batch->treatmentMonth = std::move(treatmentMonth);
    return store(std::move(batch));
}

std::shared_ptr<const Batch> Batches::store(std::shared_ptr<Batch> batch) {
    batch->receptionDateTime = jstTimestampNow();
    batch->uploadedAt = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    char number[32];
    std::snprintf(number, sizeof number, "R%015llu", static_cast<unsigned long long>(++counter_));
    batch->reception = number;
    batches_[batch->reception] = batch;
    order_.push_back(batch->reception);
    while (order_.size() > kMaxBatches) {
        batches_.erase(order_.front());
        order_.pop_front();
    }
    return batch;
}

std::shared_ptr<const Batch> Batches::find(const std::string& reception, const std::string& institution) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = batches_.find(reception);
    if (it == batches_.end() || it->second->institution != institution) return nullptr;
    return it->second;
}

std::size_t Batches::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return batches_.size();
}

void Batches::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    batches_.clear();
    order_.clear();
}

}  // namespace ksim
