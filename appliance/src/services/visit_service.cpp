#include "services/visit_service.hpp"

#include "base/files.hpp"
#include "base/log.hpp"
#include "model/errors.hpp"
#include "services/identity_index.hpp"
#include "services/result_codec.hpp"
#include "spec/messages.hpp"
#include "spec/stored_result.hpp"
#include "store/data_key.hpp"

namespace kh::services {
namespace {
using model::ErrorId;
using model::KakehashiError;

const char* const kKinds[] = {"online-consultation", "online-medication-guidance", "home-visit"};

model::MedicalTreatment treatmentOf(const std::string& kind) {
    return kind == "home-visit" ? model::MedicalTreatment::HomeVisit : model::MedicalTreatment::Online;
}

// Minutes after midnight, Japan time, for "HH:MM"; -1 when malformed.
int minutesOf(const std::string& hhmm) {
    if (hhmm.size() != 5 || hhmm[2] != ':') return -1;
    try {
        int h = std::stoi(hhmm.substr(0, 2)), m = std::stoi(hhmm.substr(3, 2));
        return h >= 0 && h < 24 && m >= 0 && m < 60 ? h * 60 + m : -1;
    } catch (const std::exception&) {
        return -1;
    }
}

int japanMinutesNow() {
    auto ts = model::japanTimestamp();  // YYYYMMDDHHmmss
    return std::stoi(ts.substr(8, 2)) * 60 + std::stoi(ts.substr(10, 2));
}

void checkOne(const VisitRequest& v, size_t i) {
    std::string at = "visits[" + std::to_string(i) + "]: ";
    auto errors = model::validate(v.inquiry);
    // Visits come only through the HTTP API: the members are named as the client sent them.
    if (!errors.empty()) throw KakehashiError(ErrorId::InvalidField, at + model::describe(model::withJsonNames(errors)));
    auto day = model::JapanDate::parse(v.visitDate);
    if (!day) throw KakehashiError(ErrorId::InvalidField, at + "visitDate: YYYYMMDD の日付です");
    if (*day < model::JapanDate::today()) throw KakehashiError(ErrorId::InvalidField, at + "visitDate: 過去の日付です (in the past)");
    bool known = false;
    for (const char* k : kKinds) known |= v.kind == k;
    if (!known) throw KakehashiError(ErrorId::InvalidField, at + "kind: online-consultation, online-medication-guidance, home-visit");
}
}  // namespace

VisitService::VisitService(VisitPolicy policy, const store::DataKey& key, store::Visits& visits, HomeConsentService& consents,
                           BatchService& batches, EligibilityService& eligibility)
    : policy_(std::move(policy)), key_(key), visits_(visits), consents_(consents), batches_(batches), eligibility_(eligibility) {
    if (minutesOf(policy_.prefetchAt) < 0 || minutesOf(policy_.morningAt) < 0)
        throw std::invalid_argument("visits.prefetchAt and visits.morningAt are HH:MM");
}

void VisitService::start() { loop_.start(std::chrono::milliseconds(policy_.tickMillis), [this] { tick(); }); }
void VisitService::stop() { loop_.stop(); }

std::vector<VisitView> VisitService::registerVisits(const std::vector<VisitRequest>& requests) {
    if (requests.empty()) throw KakehashiError(ErrorId::EmptyRequest, "visits is empty");
    for (size_t i = 0; i < requests.size(); ++i) {  // everything is checked before anything is stored
        checkOne(requests[i], i);
        auto index = identityIndex(key_, requests[i].inquiry.insured);
        bool repeated = visits_.exists(index, requests[i].visitDate, requests[i].kind);
        for (size_t j = 0; j < i && !repeated; ++j)
            repeated = identityIndex(key_, requests[j].inquiry.insured) == index && requests[j].visitDate == requests[i].visitDate &&
                       requests[j].kind == requests[i].kind;
        if (repeated) throw KakehashiError(ErrorId::DuplicateVisit, "visits[" + std::to_string(i) + "]");
    }
    std::vector<store::Visits::NewVisit> rows;
    for (const auto& v : requests)
        rows.push_back({identityIndex(key_, v.inquiry.insured), v.visitDate, v.kind, spec::serialiseInquiry(v.inquiry)});
    auto ids = visits_.addAll(rows);
    if (!ids) throw KakehashiError(ErrorId::DuplicateVisit, "registered meanwhile");
    std::vector<VisitView> out;
    for (size_t i = 0; i < requests.size(); ++i) out.push_back(view((*ids)[i], requests[i]));
    log::info("visits.registered", {{"count", std::to_string(out.size())}});
    return out;
}

VisitView VisitService::view(int64_t id, const VisitRequest& v) {
    VisitView out{id, v, "no-consent", std::nullopt};
    if (auto end = consents_.consentWindowEnd(v.inquiry.insured, treatmentOf(v.kind)))
        out.consent = model::japanDayEnd(*model::JapanDate::parse(v.visitDate)) <= *end ? "in-window" : "after-consent-window";
    out.eligibility = eligibility_.peek(v.inquiry);
    return out;
}

std::vector<VisitView> VisitService::onDate(const std::string& date) {
    if (!model::JapanDate::parse(date)) throw KakehashiError(ErrorId::InvalidField, "date: YYYYMMDD");
    std::vector<VisitView> out;
    for (const auto& v : visits_.onDate(date)) out.push_back(view(v.id, {spec::parseInquiry(v.inquiry), v.visitDate, v.kind}));
    return out;
}

std::string VisitService::prepareDay(const std::string& date, const std::string& purpose) {
    std::vector<model::EligibilityInquiry> inquiries;
    for (const auto& v : visits_.onDate(date)) inquiries.push_back(spec::parseInquiry(v.inquiry));
    if (inquiries.empty()) return "";
    auto batch = batches_.submit("visits:" + date + ":" + purpose, "VISIT" + date, inquiries);
    visits_.batchSubmitted({date, purpose, batch.receptionNumber, store::nowSeconds(), 0});
    log::info("visits.batch_submitted", {{"date", date}, {"purpose", purpose}, {"entries", std::to_string(inquiries.size())}});
    return batch.receptionNumber;
}

void VisitService::tick() {
    try {
        auto today = model::JapanDate::today();
        std::string tomorrow = model::JapanDate::fromDayNumber(today.dayNumber() + 1).str();
        int now = japanMinutesNow();
        if (now >= minutesOf(policy_.prefetchAt) && !visits_.batch(tomorrow, "prefetch")) prepareDay(tomorrow, "prefetch");
        if (now >= minutesOf(policy_.morningAt) && !visits_.batch(today.str(), "morning")) prepareDay(today.str(), "morning");
        for (const auto& b : visits_.undelivered()) deliver(b);
    } catch (const std::exception& e) {
        log::error("visits.tick_failed", {{"error", e.what()}});
    }
}

// A finished batch: every answer into the cache (so reception is answered at once) and one result file.
void VisitService::deliver(const store::VisitBatch& b) {
    auto view = batches_.view(b.receptionNumber);
    if (!view || !view->done) return;
    int64_t now = store::nowSeconds();
    for (const auto& unit : view->units) eligibility_.remember(unit.inquiry, unit, now);
    if (!policy_.resultFolder.empty()) {
        spec::BatchResultResponse res;
        res.header.processExecutionTime = model::japanTimestamp();
        res.header.confirmationDate = model::JapanDate::today().str();
        res.header.institutionCode = view->batch.institutionCode;
        res.header.arbitraryFileIdentifier = view->batch.fileIdentifier;
        res.receptionNumber = b.receptionNumber;
        res.units = view->units;
        std::string name = "OQSmuquc02res_VISIT" + b.visitDate + (b.purpose == "prefetch" ? "P" : "M") + ".xml";
        base::writeFileDurably(policy_.resultFolder + "/" + name, spec::writeXml(spec::encode(res), spec::Encoding::Utf8), 0640);
    }
    visits_.batchDelivered(b.visitDate, b.purpose, now);
    log::info("visits.batch_delivered", {{"date", b.visitDate}, {"purpose", b.purpose}, {"entries", std::to_string(view->units.size())}});
}

}  // namespace kh::services
