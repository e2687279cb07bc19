#include "services/home_consent_service.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "services/identity_index.hpp"
#include "services/result_codec.hpp"
#include "spec/stored_result.hpp"
#include "services/upstream_failure.hpp"

namespace kh::services {
namespace {
using model::ConsentScope;
using model::ConsentState;
using model::ErrorId;
using model::KakehashiError;

constexpr const char* kWithdrawalsAsOf = "homeConsent.withdrawalsAsOf";
constexpr ConsentScope kScopes[] = {ConsentScope::Medication, ConsentScope::Clinical, ConsentScope::Checkup};

int64_t now() { return model::unixSeconds(std::chrono::system_clock::now()); }

// AvailableTime / ConsTime / withdrawnAt as unix seconds (a bare date: the end of that day, Japan time).
std::optional<int64_t> japanTime(const std::string& s) {
    auto t = model::parseJapanTimeOrDayEnd(s);
    return t ? std::optional<int64_t>(model::unixSeconds(*t)) : std::nullopt;
}

model::InsuredIdentity identityOf(const model::EligibilityRecord& r) {
    return {model::trimmed(r.insurerNumber), r.cardSymbol, r.cardNumber, r.branchNumber, r.birthDate};
}

// Serialised with its treatment and day, which the result codec does not carry.
std::string storedUnit(const model::EligibilityResult& unit) {
    return unit.medicalTreatmentFlag + "\n" + unit.examinationDate + "\n" + spec::serialiseResult(unit);
}
model::EligibilityResult unitFrom(const std::string& stored) {
    auto a = stored.find('\n'), b = stored.find('\n', a + 1);
    auto unit = spec::parseResult(stored.substr(b + 1));
    unit.medicalTreatmentFlag = stored.substr(0, a);
    unit.examinationDate = stored.substr(a + 1, b - a - 1);
    return unit;
}

// Withdrawn beats everything; then a valid consent of any treatment; then expired; else none.
ConsentState combined(const std::vector<store::ConsentedPatient>& rows, ConsentScope scope) {
    auto at = std::chrono::system_clock::now();
    ConsentState best = ConsentState::None;
    for (const auto& row : rows) {
        auto unit = unitFrom(row.unit);
        const auto* record = unit.primary();
        if (!record || !record->consent) continue;
        auto s = model::consentStateAt(*record->consent, scope, at, row.withdrawnAt != 0);
        if (s == ConsentState::Valid) return s;
        if (s == ConsentState::Withdrawn || (s == ConsentState::Expired && best == ConsentState::None)) best = s;
    }
    return best;
}

// An outpatient's request (MedicalTreatmentFlag 1) is answered under the consent given at the reader (a
// qualification's consent block); a home visit's or online care's under the home consents.
std::vector<store::ConsentedPatient> consentsFor(std::vector<store::ConsentedPatient> rows, model::MedicalTreatment treatment) {
    const bool outpatient = treatment == model::MedicalTreatment::Normal;
    const std::string normal = model::medicalTreatmentCode(model::MedicalTreatment::Normal);
    rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const auto& r) { return (r.treatment == normal) != outpatient; }),
               rows.end());
    return rows;
}

ErrorId refusalFor(ConsentState s) {
    return s == ConsentState::Withdrawn ? ErrorId::ConsentWithdrawn
           : s == ConsentState::Expired ? ErrorId::ConsentExpired
                                        : ErrorId::ConsentMissing;
}
}  // namespace

HomeConsentService::HomeConsentService(HomeConsentPolicy policy, const store::DataKey& key, store::Consents& consents,
                                       store::Settings& settings, upstream::CentralClient& central)
    : policy_(std::move(policy)), key_(key), consents_(consents), settings_(settings), central_(central) {}

// The first poll waits one period: a starting box answers its receipt computers first.
void HomeConsentService::start() {
    loop_.start(std::chrono::seconds(policy_.pollSeconds), [this, first = true]() mutable {
        if (!first) pass();
        first = false;
    });
}
void HomeConsentService::stop() { loop_.stop(); }

void HomeConsentService::pass() {
    try {
        refreshQualifications();
        pollWithdrawals();
    } catch (const std::exception& e) {
        log::warn("home_consent.poll_failed", {{"error", e.what()}});
    }
    try {
        int64_t t = now();
        int purged = consents_.purgeExpired(t, t - int64_t(policy_.retentionDays) * 86400);
        if (purged) log::info("home_consent.medical_info_purged", {{"rows", std::to_string(purged)}});
    } catch (const std::exception& e) {
        log::error("home_consent.purge_failed", {{"error", e.what()}});
    }
}

size_t HomeConsentService::refreshQualifications() {
    int64_t started = now();
    size_t n = refreshList(model::MedicalTreatment::HomeVisit) + refreshList(model::MedicalTreatment::Online);
    lastRefresh_ = started;
    return n;
}

std::string HomeConsentService::acceptListRequest(const spec::ConsentListRequest& r) {
    store::ConsentListFilter f{0, r.medicalTreatmentFlag, r.consentDateFrom, r.consentDateTo, r.examinationDateFrom,
                               r.examinationDateTo, r.header.arbitraryFileIdentifier, 0};
    int64_t id = consents_.addListRequest(f);
    loop_.poke();  // fetch fresh lists now rather than at the next scheduled poll
    char buf[24];
    std::snprintf(buf, sizeof buf, "H%010lld", static_cast<long long>(id));
    return buf;
}

std::optional<std::vector<model::EligibilityResult>> HomeConsentService::answerListRequest(const std::string& reception) {
    std::optional<store::ConsentListFilter> f;
    if (reception.size() == 11 && reception[0] == 'H' && reception.find_first_not_of("0123456789", 1) == std::string::npos)
        f = consents_.listRequest(std::stoll(reception.substr(1)));
    if (!f) throw KakehashiError(ErrorId::UnknownReception, "ReceptionNumber");
    if (lastRefresh_ < f->createdAt && now() - f->createdAt < 60) return std::nullopt;
    auto inRange = [](const std::string& day, const std::string& from, const std::string& to) {
        return (from.empty() || day >= from) && (to.empty() || day <= to);
    };
    std::vector<model::EligibilityResult> out;
    for (const auto& p : consents_.list(0)) {
        if (p.treatment != f->treatment) continue;
        std::string consentDay = model::JapanDate::today(model::fromUnixSeconds(p.consentedAt)).str();
        if (!inRange(consentDay, f->consentFrom, f->consentTo) || !inRange(p.examinationDate, f->examinationFrom, f->examinationTo))
            continue;
        out.push_back(unitFrom(p.unit));
    }
    return out;
}

size_t HomeConsentService::refreshList(model::MedicalTreatment treatment) {
    auto today = model::JapanDate::today();
    upstream::ConsentListQuery query;
    query.treatment = treatment;
    query.consentFrom = model::JapanDate::fromDayNumber(today.dayNumber() - policy_.lookbackDays).str();
    query.consentTo = today.str();
    auto receipt = central_.requestConsentList(crypto::uuid4(), query);
    if (!receipt.ok()) throwFailure(receipt.failure, "consent list");
    const auto kind = treatment == model::MedicalTreatment::Online ? upstream::BatchKind::ConsentOnline : upstream::BatchKind::ConsentHomeVisit;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(policy_.listTimeoutSeconds);
    upstream::Outcome<upstream::BatchDownload> list;
    for (;;) {
        list = central_.downloadBatch(receipt.answer->receptionNumber, kind);
        if (!list.ok()) throwFailure(list.failure, "consent list");
        if (!list.answer->processing || std::chrono::steady_clock::now() >= deadline || loop_.stopping()) break;
        loop_.sleepUnlessStopped(std::chrono::milliseconds(300));
    }
    if (list.answer->processing) throw KakehashiError(ErrorId::UpstreamUnavailable, "consent list: still processing");
    for (const auto& unit : list.answer->units) storeUnit(unit);
    log::info("home_consent.list_fetched", {{"treatment", model::medicalTreatmentCode(treatment)},
                                            {"consents", std::to_string(list.answer->units.size())}});
    return list.answer->units.size();
}

// A qualification just given (a reception check, a card read): its consent block is the outpatient's
// consent for medical information (外来, MedicalTreatmentFlag 1), kept like a home consent until its
// AvailableTime, withdrawn and purged by the same rules.
void HomeConsentService::noteQualification(const model::EligibilityResult& result) {
    const auto* record = result.primary();
    if (!record || !record->consent) return;
    bool consented = false;
    for (auto scope : kScopes) consented = consented || model::consentFor(*record->consent, scope).flag == "1";
    if (!consented) return;
    model::EligibilityResult unit = result;
    unit.medicalTreatmentFlag = model::medicalTreatmentCode(model::MedicalTreatment::Normal);
    try {
        storeUnit(unit);
    } catch (const std::exception& e) {
        log::warn("home_consent.outpatient_not_kept", {{"error", e.what()}});
    }
}

void HomeConsentService::storeUnit(const model::EligibilityResult& unit) {
    const auto* record = unit.primary();
    if (!record || !record->consent) return;
    const auto& block = *record->consent;
    int64_t until = 0, since = 0;
    for (auto scope : kScopes) {
        const auto& c = model::consentFor(block, scope);
        if (c.flag != "1") continue;
        if (auto t = japanTime(c.availableTime)) until = std::max(until, *t);
        if (auto t = japanTime(c.consTime)) since = since == 0 ? *t : std::min(since, *t);
    }
    store::ConsentedPatient p{unit.medicalTreatmentFlag, unit.examinationDate, until, since, 0, now(), storedUnit(unit)};
    consents_.upsert(cardIndex(key_, identityOf(*record)), p);
}

size_t HomeConsentService::pollWithdrawals() {
    // A 資格確認端末 has no withdrawal notice: consents then end with their window (the lists say so).
    if (!central_.supports(upstream::Capability::Withdrawals)) return 0;
    auto asOf = settings_.get(kWithdrawalsAsOf);
    auto page = central_.withdrawals(asOf ? asOf->value : "");
    if (!page.ok()) throwFailure(page.failure, "withdrawals");
    size_t applied = 0;
    for (const auto& w : page.answer->withdrawals) {
        auto at = japanTime(w.withdrawnAt).value_or(now());
        applied += consents_.withdraw(cardIndex(key_, w.insured), at) > 0;
    }
    if (!page.answer->asOf.empty()) settings_.set(kWithdrawalsAsOf, page.answer->asOf, "central");
    if (applied) log::info("home_consent.withdrawals_applied", {{"count", std::to_string(applied)}});
    return applied;
}

std::vector<ConsentedPatientView> HomeConsentService::list(const std::string& sinceDate) {
    int64_t since = 0;
    if (!sinceDate.empty()) {
        auto d = model::JapanDate::parse(sinceDate);
        if (!d) throw KakehashiError(ErrorId::InvalidField, "since: YYYYMMDD");
        since = model::japanDayStart(*d);
    }
    std::vector<ConsentedPatientView> out;
    const std::string outpatient = model::medicalTreatmentCode(model::MedicalTreatment::Normal);
    for (const auto& p : consents_.list(since))
        if (p.treatment != outpatient) out.push_back({unitFrom(p.unit), p.availableUntil, p.consentedAt, p.fetchedAt});
    return out;
}

model::ConsentState HomeConsentService::consentState(const model::InsuredIdentity& insured, model::ConsentScope scope) {
    return combined(consents_.find(cardIndex(key_, insured)), scope);
}

std::optional<int64_t> HomeConsentService::consentWindowEnd(const model::InsuredIdentity& insured,
                                                            model::MedicalTreatment treatment) {
    std::optional<int64_t> end;
    for (const auto& row : consents_.find(cardIndex(key_, insured)))
        if (!row.withdrawnAt && row.treatment == model::medicalTreatmentCode(treatment))
            end = std::max(end.value_or(0), row.availableUntil);
    return end;
}

MedicalInfoOutcome HomeConsentService::medicalInfo(model::MedicalInfoRequest req) {
    req.institutionCode = policy_.institutionCode;
    std::string index = cardIndex(key_, req.insured);
    auto rows = consentsFor(consents_.find(index), req.treatment);
    MedicalInfoOutcome out;
    auto state = combined(rows, req.scope);
    if (state != ConsentState::Valid) {  // refused here even when something is cached
        consents_.dropMedicalInfo(index);
        out.refusal = refusalFor(state);
        out.reason = model::refusalReason(state);
        return out;
    }
    int64_t until = 0;
    for (const auto& r : rows) until = std::max(until, r.withdrawnAt ? 0 : r.availableUntil);
    std::string scope = model::consentScopeName(req.scope);
    if (auto cached = consents_.medicalInfo(index, scope, req.fileCategory); cached && now() <= cached->availableUntil) {
        return MedicalInfoOutcome::answer(cached->contentType, cached->body, "cache", cached->fetchedAt);
    }
    auto fetched = central_.medicalInfo(crypto::uuid4(), req);
    if (!fetched.ok()) {
        const auto& f = fetched.failure;
        out.refusal = f.kind == upstream::Failure::Kind::Unreachable ? ErrorId::UpstreamUnavailable
                      : f.status == 403                              ? ErrorId::ConsentMissing
                                                                     : ErrorId::UpstreamRejected;
        out.reason = f.code.empty() ? f.message : f.code + " " + f.message;
        out.centralCode = f.code;
        out.centralMessage = f.message;
        out.centralDocument = f.document;
        return out;
    }
    const auto& result = *fetched.answer;
    store::CachedMedicalInfo info{result.contentType, result.body, now(), until};
    consents_.putMedicalInfo(index, scope, req.fileCategory, info);
    return MedicalInfoOutcome::answer(info.contentType, info.body, "live", info.fetchedAt);
}

}  // namespace kh::services
