#include "consents.hpp"

#include <algorithm>
#include <cstdio>

#include "japan_time.hpp"
#include "request_log.hpp"

namespace ksim {

const char* scopeName(Scope scope) {
    switch (scope) {
        case Scope::Medication: return "medication";
        case Scope::Clinical: return "clinical";
        case Scope::Checkup: return "checkup";
    }
    return "medication";
}

bool parseScope(const std::string& name, Scope& scope) {
    for (Scope s : {Scope::Medication, Scope::Clinical, Scope::Checkup}) {
        if (name == scopeName(s)) {
            scope = s;
            return true;
        }
    }
    return false;
}

bool Consent::has(Scope scope) const {
    switch (scope) {
        case Scope::Medication: return medication;
        case Scope::Clinical: return clinical;
        case Scope::Checkup: return checkup;
    }
    return false;
}

bool ConsentBlock::has(Scope scope) const {
    switch (scope) {
        case Scope::Medication: return medication;
        case Scope::Clinical: return clinical;
        case Scope::Checkup: return checkup;
    }
    return false;
}

ConsentBlock blockOf(const Consent& c) {
    return {c.medication, c.clinical, c.checkup, c.consentTime, c.availableTime, c.withdrawnAt};
}

const char* Consent::stateAt(const std::string& now) const {
    if (withdrawn()) return "withdrawn";
    return now > availableTime ? "expired" : "active";
}

std::string ConsentStore::personKey(const std::string& institution, std::size_t person) {
    return institution + '|' + std::to_string(person);
}

std::string ConsentStore::nextId(char prefix) {
    char id[32];
    std::snprintf(id, sizeof id, "%c%015llu", prefix, static_cast<unsigned long long>(++counter_));
    return id;
}

std::string ConsentStore::tokenFor(const std::string& institution) {
    std::string token = sha256Hex("home-reception:" + institution).substr(0, 16);
    std::lock_guard<std::mutex> lock(mutex_);
    tokens_[token] = institution;
    return token;
}

std::string ConsentStore::institutionForToken(const std::string& token) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tokens_.find(token);
    return it == tokens_.end() ? std::string() : it->second;
}

PinCheck ConsentStore::checkPin(std::size_t person, const std::string& pin) {
    std::lock_guard<std::mutex> lock(mutex_);
    int& wrong = wrongPins_[person];
    if (wrong >= kPinTries) return {false, true, 0};
    if (pin == "1234") {
        wrong = 0;
        return {true, false, kPinTries};
    }
    ++wrong;
    return {false, wrong >= kPinTries, kPinTries - wrong};
}

Consent ConsentStore::add(Consent consent) {
    std::lock_guard<std::mutex> lock(mutex_);
    consent.id = nextId('C');
    consents_.push_back(consent);
    return consent;
}

std::optional<Withdrawal> ConsentStore::withdraw(const std::string& institution, std::size_t person,
                                                 const std::string& by) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string now = jstTimestampNow();
    Withdrawal w;
    for (Consent& c : consents_) {
        if (c.institution != institution || c.person != person || !c.inForce(now)) continue;
        c.withdrawnAt = now;
        c.withdrawnBy = by;
        w.consentIds.push_back(c.id);
    }
    if (w.consentIds.empty()) return std::nullopt;
    w.id = nextId('W');
    w.institution = institution;
    w.person = person;
    w.withdrawnAt = now;
    w.by = by;
    withdrawals_.push_back(w);
    return w;
}

std::optional<Consent> ConsentStore::expire(const std::string& consentId, const std::string& yesterday) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Consent& c : consents_) {
        if (c.id != consentId) continue;
        c.examinationDate = yesterday;
        c.availableTime = yesterday + "235959";
        c.consentTime = std::min(c.consentTime, c.availableTime);
        return c;
    }
    return std::nullopt;
}

std::vector<Consent> ConsentStore::all() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return consents_;
}

std::vector<Consent> ConsentStore::ofInstitution(const std::string& institution) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Consent> out;
    for (const Consent& c : consents_)
        if (c.institution == institution) out.push_back(c);
    return out;
}

std::vector<Consent> ConsentStore::ofPerson(const std::string& institution, std::size_t person) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Consent> out;
    for (const Consent& c : consents_)
        if (c.institution == institution && c.person == person) out.push_back(c);
    return out;
}

std::vector<Withdrawal> ConsentStore::withdrawals(const std::string& institution, const std::string& since,
                                                  std::string& asOf) const {
    std::lock_guard<std::mutex> lock(mutex_);
    asOf = jstTimestampNow();
    std::vector<Withdrawal> out;
    for (const Withdrawal& w : withdrawals_)
        if (w.institution == institution && w.withdrawnAt >= since) out.push_back(w);
    return out;  // recorded in time order already
}

std::vector<Withdrawal> ConsentStore::allWithdrawals() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return withdrawals_;
}

bool ConsentStore::registerReference(const std::string& institution, std::size_t person, const std::string& number) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string byNumber = institution + '|' + number;
    auto owner = personByReference_.find(byNumber);
    if (owner != personByReference_.end() && owner->second != person) return false;
    std::string key = personKey(institution, person);
    auto old = referenceByPerson_.find(key);
    if (old != referenceByPerson_.end()) personByReference_.erase(institution + '|' + old->second);
    referenceByPerson_[key] = number;
    personByReference_[byNumber] = person;
    return true;
}

std::string ConsentStore::referenceNumber(const std::string& institution, std::size_t person) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = referenceByPerson_.find(personKey(institution, person));
    return it == referenceByPerson_.end() ? std::string() : it->second;
}

std::vector<ReferenceEntry> ConsentStore::allReferences() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<ReferenceEntry> out;
    for (const auto& [key, person] : personByReference_) {
        auto bar = key.find('|');
        out.push_back({key.substr(0, bar), person, key.substr(bar + 1)});
    }
    std::sort(out.begin(), out.end(), [](const ReferenceEntry& a, const ReferenceEntry& b) {
        return a.institution != b.institution ? a.institution < b.institution : a.referenceNumber < b.referenceNumber;
    });
    return out;
}

void ConsentStore::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    consents_.clear();
    withdrawals_.clear();
    referenceByPerson_.clear();
    personByReference_.clear();
    wrongPins_.clear();
}

ConsentDecision decideConsent(const std::vector<Consent>& consents, Scope scope, const std::string& now) {
    ConsentDecision decision;
    const Consent* newest = nullptr;
    const Consent* best = nullptr;  // in force, lasting longest
    for (const Consent& c : consents) {
        if (!c.has(scope)) continue;
        if (c.inForce(now) && (!best || c.availableTime > best->availableTime)) best = &c;
        if (!newest || c.consentTime > newest->consentTime ||
            (c.consentTime == newest->consentTime && c.id > newest->id))
            newest = &c;
    }
    if (best) {
        decision.verdict = ConsentVerdict::Allowed;
        decision.consent = *best;
    } else if (newest) {
        decision.verdict = newest->withdrawn() ? ConsentVerdict::Withdrawn : ConsentVerdict::Expired;
        decision.consent = *newest;
    }
    return decision;
}

}  // namespace ksim
