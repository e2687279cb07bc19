#include "model/consent.hpp"

#include "model/codes.hpp"
#include "model/japan_date.hpp"

namespace kh::model {
namespace {
using std::chrono::system_clock;

// The first instant at which the consent no longer holds: one second after a timestamp, or the next
// midnight in Japan after a bare date. nullopt when the text is neither.
std::optional<system_clock::time_point> consentEnd(const std::string& raw) {
    const auto last = parseJapanTimeOrDayEnd(trimmed(raw));
    if (!last) return std::nullopt;
    return *last + std::chrono::seconds(1);
}
}  // namespace

const ScopeConsent& consentFor(const ConsentBlock& block, ConsentScope scope) {
    switch (scope) {
    case ConsentScope::Medication: return block.medication;
    case ConsentScope::Clinical: return block.clinical;
    case ConsentScope::Checkup: return block.checkup;
    case ConsentScope::Operation: break;
    }
    return block.operation;
}

ScopeConsent& consentFor(ConsentBlock& block, ConsentScope scope) {
    return const_cast<ScopeConsent&>(consentFor(static_cast<const ConsentBlock&>(block), scope));
}

ConsentState consentStateAt(const ConsentBlock& block, ConsentScope scope, system_clock::time_point now,
                            bool withdrawn) {
    if (withdrawn) return ConsentState::Withdrawn;
    const ScopeConsent& consent = consentFor(block, scope);
    if (trimmed(consent.flag) != "1") return ConsentState::None;
    const auto end = consentEnd(consent.availableTime);
    if (!end) return ConsentState::None;
    return now < *end ? ConsentState::Valid : ConsentState::Expired;
}

const char* refusalReason(ConsentState state) {
    switch (state) {
    case ConsentState::Valid: return "";
    case ConsentState::None: return "同意がありません";
    case ConsentState::Expired: return "同意の有効期限が切れています";
    case ConsentState::Withdrawn: return "同意が撤回されています";
    }
    return "同意がありません";
}

const char* consentStateName(ConsentState state) {
    switch (state) {
    case ConsentState::Valid: return "valid";
    case ConsentState::None: return "none";
    case ConsentState::Expired: return "expired";
    case ConsentState::Withdrawn: return "withdrawn";
    }
    return "none";
}

const char* consentScopeName(ConsentScope scope) {
    switch (scope) {
    case ConsentScope::Medication: return "medication";
    case ConsentScope::Clinical: return "clinical";
    case ConsentScope::Checkup: return "checkup";
    case ConsentScope::Operation: return "operation";
    }
    return "unknown";
}

std::optional<MedicalTreatment> medicalTreatmentFromCode(const std::string& code) {
    const std::string c = trimmed(code);
    if (c.size() != 1 || c[0] < '1' || c[0] > '3') return std::nullopt;
    return static_cast<MedicalTreatment>(c[0] - '0');
}

std::string medicalTreatmentCode(MedicalTreatment treatment) {
    return std::to_string(static_cast<int>(treatment));
}

}  // namespace kh::model
