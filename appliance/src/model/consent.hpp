// Viewing consent (閲覧同意) for medication, clinical, checkup and operation information, as the central
// system reports it in a qualification result, and whether it allows a view now. The 居宅同意取得型 flow
// (docs/file-interface.md §7.2): information is served only while the category's flag is 1 and its AvailableTime
// (Japan time) has not passed, and never after the patient or the facility withdrew consent.
#pragma once
#include <chrono>
#include <optional>
#include <string>

namespace kh::model {

// 薬剤情報 (PharmacistsInfo), 診療情報 (DiagnosisInfo), 特定健診 (SpecificHealthCheckupsInfo), 手術情報 (OperationInfo).
enum class ConsentScope { Medication, Clinical, Checkup, Operation };

// One category's consent, raw as received: flag "1" = consented; times YYYYMMDDHHmmss (Japan time).
struct ScopeConsent {
    std::string flag;           // …ConsFlg
    std::string consTime;       // …ConsTime
    std::string availableTime;  // …AvailableTime; a bare YYYYMMDD means the end of that day in Japan
};

// The consent block of ResultOfQualificationConfirmation.
struct ConsentBlock {
    ScopeConsent checkup, medication, clinical, operation;
};

const ScopeConsent& consentFor(const ConsentBlock& block, ConsentScope scope);
ScopeConsent& consentFor(ConsentBlock& block, ConsentScope scope);

enum class ConsentState { Valid, None, Expired, Withdrawn };

// Withdrawn wins; then the flag must be "1" (None otherwise, also when AvailableTime is missing or not a
// date/timestamp: without an end there is no usable consent); then `now` must not be past AvailableTime,
// compared at whole seconds in Japan time (Expired otherwise).
ConsentState consentStateAt(const ConsentBlock& block, ConsentScope scope,
                            std::chrono::system_clock::time_point now, bool withdrawn);

// Japanese reason for staff: 同意がありません / 同意の有効期限が切れています / 同意が撤回されています; "" when Valid.
const char* refusalReason(ConsentState state);
const char* consentStateName(ConsentState state);  // "valid" | "none" | "expired" | "withdrawn"
const char* consentScopeName(ConsentScope scope);  // "medication" | "clinical" | "checkup" | "operation"

// MedicalTreatmentFlag (診療区分): 1 通常, 2 訪問診療等, 3 オンライン診療等.
enum class MedicalTreatment { Normal = 1, HomeVisit = 2, Online = 3 };
std::optional<MedicalTreatment> medicalTreatmentFromCode(const std::string& code);  // "1".."3" (trimmed)
std::string medicalTreatmentCode(MedicalTreatment treatment);                      // the int as text

}  // namespace kh::model
