// Consented patients (居宅同意取得型) and the medical information fetched under their consent. Medical
// information never outlives its consent: it is purged when the window ends or a withdrawal arrives.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct ConsentedPatient {
    std::string treatment, examinationDate;
    int64_t availableUntil = 0, consentedAt = 0, withdrawnAt = 0, fetchedAt = 0;
    std::string unit;  // serialised, opened
};

struct CachedMedicalInfo {
    std::string contentType, body;
    int64_t fetchedAt = 0, availableUntil = 0;
};

// A receipt computer's consent-list request (phase 01), answered in phase 02 under its reception number.
struct ConsentListFilter {
    int64_t id = 0;
    std::string treatment, consentFrom, consentTo, examinationFrom, examinationTo, fileIdentifier;
    int64_t createdAt = 0;
};

class Consents {
public:
    int64_t addListRequest(const ConsentListFilter& filter);
    std::optional<ConsentListFilter> listRequest(int64_t id);
    explicit Consents(Store& store) : store_(store) {}
    void upsert(const std::string& identityIndex, const ConsentedPatient& p);
    std::vector<ConsentedPatient> list(int64_t consentedSince);  // not withdrawn, newest consent first
    std::vector<ConsentedPatient> find(const std::string& identityIndex);
    // Marks every consent of the patient withdrawn and drops their medical information. Returns rows changed.
    int withdraw(const std::string& identityIndex, int64_t at);

    void putMedicalInfo(const std::string& identityIndex, const std::string& scope, int fileCategory,
                        const CachedMedicalInfo& info);
    std::optional<CachedMedicalInfo> medicalInfo(const std::string& identityIndex, const std::string& scope,
                                                 int fileCategory);
    void dropMedicalInfo(const std::string& identityIndex);
    // Medical information past its window, or fetched before `fetchedBefore` (retention); returns rows removed.
    int purgeExpired(int64_t now, int64_t fetchedBefore);

private:
    Store& store_;
};

}  // namespace kh::store
