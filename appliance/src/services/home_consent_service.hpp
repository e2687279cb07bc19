// 居宅同意取得型: the consented patients of this institution, fetched from the central system's consent
// lists (訪問診療等 and オンライン診療等) on a schedule and on demand, and medical information (薬剤・診療・
// 特定健診等情報) served only while a consent for that scope is in force — from consent to the end of the
// consultation day, Japan time. Withdrawals are polled; they and the end of a window purge what was cached.
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/background_loop.hpp"
#include "model/consent.hpp"
#include "model/eligibility.hpp"
#include "model/errors.hpp"
#include "model/medical_info.hpp"
#include "store/consents.hpp"
#include "store/settings.hpp"
#include "spec/home_consent_messages.hpp"
#include "upstream/central_client.hpp"

namespace kh::services {

struct HomeConsentPolicy {
    std::string institutionCode;
    int lookbackDays = 30;        // consent lists cover consents given in the last N days
    int pollSeconds = 300;        // consent lists and withdrawals, every N seconds
    int listTimeoutSeconds = 60;  // how long a consent list may take to be ready upstream
    int retentionDays = 7;        // medical information is never kept longer than this, window or not
};

struct ConsentedPatientView {
    model::EligibilityResult unit;  // qualification, consent block, MedicalTreatmentFlag, ExaminationDate
    int64_t availableUntil = 0, consentedAt = 0, fetchedAt = 0;
};

struct MedicalInfoOutcome {
    bool served = false;
    std::string contentType, body, source;  // source: live | cache
    int64_t fetchedAt = 0;
    model::ErrorId refusal = model::ErrorId::ConsentMissing;  // when not served
    std::string reason;                                         // Japanese, says why
    std::string centralCode, centralMessage;                    // when the central system refused: its words
    std::string centralDocument;                                // …and its refusing document, when it sent one

    static MedicalInfoOutcome answer(std::string contentType, std::string body, std::string source, int64_t fetchedAt) {
        MedicalInfoOutcome out;
        out.served = true;
        out.contentType = std::move(contentType);
        out.body = std::move(body);
        out.source = std::move(source);
        out.fetchedAt = fetchedAt;
        return out;
    }
};

class HomeConsentService {
public:
    HomeConsentService(HomeConsentPolicy policy, const store::DataKey& key, store::Consents& consents,
                       store::Settings& settings, upstream::CentralClient& central);
    void start();
    void stop();

    // Both consent lists; returns the number of consents stored. Throws KakehashiError when upstream fails.
    size_t refreshQualifications();
    size_t pollWithdrawals();  // returns the number of withdrawals applied
    // The consent block of a qualification just given authorises outpatients' medical information.
    void noteQualification(const model::EligibilityResult& result);
    std::vector<ConsentedPatientView> list(const std::string& consentedSinceDate);
    MedicalInfoOutcome medicalInfo(model::MedicalInfoRequest request);
    // The consent state of a patient for one scope now (withdrawn / expired / none / valid).
    model::ConsentState consentState(const model::InsuredIdentity& insured, model::ConsentScope scope);
    // When the patient's consent for this kind of care ends (unix seconds), if one is in force or expired
    // but not withdrawn; nullopt when there is none.
    std::optional<int64_t> consentWindowEnd(const model::InsuredIdentity& insured, model::MedicalTreatment treatment);

    // The file channel's two phases (OQSmuhvq / OQSmuonq): phase 01 keeps the filter under a reception
    // number and asks for fresh lists; phase 02 answers from the consent cache once a list fetched after the
    // request is in (nullopt while it is not: "still processing"), or after a minute from what is cached.
    std::string acceptListRequest(const spec::ConsentListRequest& request);
    // Throws KakehashiError(UnknownReception).
    std::optional<std::vector<model::EligibilityResult>> answerListRequest(const std::string& receptionNumber);

private:
    size_t refreshList(model::MedicalTreatment treatment);
    void storeUnit(const model::EligibilityResult& unit);
    void pass();

    HomeConsentPolicy policy_;
    const store::DataKey& key_;
    store::Consents& consents_;
    store::Settings& settings_;
    upstream::CentralClient& central_;
    base::BackgroundLoop loop_;
    std::atomic<int64_t> lastRefresh_{0};  // unix seconds of the last complete refresh
};

}  // namespace kh::services
