#include "conformance_handlers.hpp"

#include <algorithm>

#include <Poco/JSON/Array.h>

#include "codes.hpp"
#include "japan_time.hpp"
#include "json_io.hpp"
#include "qualification.hpp"

namespace ksim {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using Poco::Dynamic::Var;

Object::Ptr cannedJson(const CannedAnswer& a) {
    Object::Ptr o = new Object;
    o->set("kind", std::string(cannedKindName(a.kind)));
    o->set("insurerNumber", a.insurerNumber);
    o->set("cardNumber", a.cardNumber);
    o->set("branchNumber", a.branchNumber.empty() ? Var() : Var(a.branchNumber));
    o->set("bytes", a.document.size());
    o->set("hits", a.hits);
    return o;
}

Object::Ptr countJson(std::size_t cleared) {
    Object::Ptr o = new Object;
    o->set("cleared", cleared);
    return o;
}

// The scopes array of an outpatient consent: any of medication, clinical, checkup; empty is allowed.
bool readScopes(const Object::Ptr& in, ConsentBlock& block) {
    if (!in->has("scopes") || !in->isArray("scopes")) return false;
    Array::Ptr scopes = in->getArray("scopes");
    for (std::size_t i = 0; i < scopes->size(); ++i) {
        Scope s;
        Var v = scopes->get(static_cast<unsigned>(i));
        if (!v.isString() || !parseScope(v.convert<std::string>(), s)) return false;
        (s == Scope::Medication ? block.medication : s == Scope::Clinical ? block.clinical : block.checkup) = true;
    }
    return true;
}

Object::Ptr outpatientJson(const ConsentBlock& b, const std::string& institution, const Person& p,
                           const Population& population, const std::string& now) {
    Object::Ptr o = new Object;
    o->set("institution", institution.empty() ? Var() : Var(institution));
    setIdentifiers(o, p, population);
    Array::Ptr scopes = new Array;
    for (Scope s : {Scope::Medication, Scope::Clinical, Scope::Checkup})
        if (b.has(s)) scopes->add(std::string(scopeName(s)));
    o->set("scopes", scopes);
    o->set("consTime", b.consTime);
    o->set("availableTime", b.availableTime);
    o->set("withdrawnAt", b.withdrawnAt.empty() ? Var() : Var(b.withdrawnAt));
    o->set("state", std::string(!b.withdrawnAt.empty() ? "withdrawn" : now > b.availableTime ? "expired" : "active"));
    return o;
}

}  // namespace

// {"insurerNumber","cardNumber","branchNumber"?,"kind"?: "single"|"batch","xml"}
StoredAnswer putCanned(const ControlCall& call, SimState& state) {
    Object::Ptr in;
    std::string error, kind;
    CannedAnswer a;
    if (!parseJsonObject(call.body, in, error)) return jsonError(400, error);
    if (!stringField(in, "insurerNumber", a.insurerNumber, error) || !stringField(in, "cardNumber", a.cardNumber, error) ||
        !stringField(in, "branchNumber", a.branchNumber, error) || !stringField(in, "kind", kind, error) ||
        !stringField(in, "xml", a.document, error))
        return jsonError(400, error);
    if (trimmed(a.insurerNumber).empty() || trimmed(a.cardNumber).empty() || a.document.empty())
        return jsonError(400, "insurerNumber, cardNumber and xml are required");
    if (kind == "batch") a.kind = CannedKind::Batch;
    else if (!kind.empty() && kind != "single") return jsonError(400, "kind must be single or batch");
    if (!prepareCannedDocument(a.kind, a.document, a.status, error)) return jsonError(400, "xml: " + error);
    state.canned.put(a);
    return jsonAnswer(200, cannedJson(a));
}

StoredAnswer listCanned(const ControlCall&, SimState& state) {
    Array::Ptr list = new Array;
    for (const CannedAnswer& a : state.canned.all()) list->add(cannedJson(a));
    Object::Ptr o = new Object;
    o->set("canned", list);
    return jsonAnswer(200, o);
}

StoredAnswer clearCanned(const ControlCall&, SimState& state) { return jsonAnswer(200, countJson(state.canned.clear())); }

// {identifiers…, "institution"?, "scopes": [...], "availableTime", "consentTime"?, "withdrawnAt"?}
StoredAnswer setOutpatientConsent(const ControlCall& call, SimState& state) {
    Object::Ptr in;
    std::string error, institution, available, given, withdrawn;
    if (!parseJsonObject(call.body, in, error)) return jsonError(400, error);
    SearchKey key;
    if (!readIdentifiers(in, key, error)) return jsonError(400, error);
    if (!stringField(in, "institution", institution, error) || !stringField(in, "availableTime", available, error) ||
        !stringField(in, "consentTime", given, error) || !stringField(in, "withdrawnAt", withdrawn, error))
        return jsonError(400, error);
    if (!institution.empty() && !isValidInstitutionCode(institution))
        return jsonError(400, "institution is not a 10-digit institution code with a valid check digit");
    ConsentBlock block;
    if (!readScopes(in, block)) return jsonError(400, "scopes must be an array of medication, clinical, checkup");
    if (!isTimestamp14(available)) return jsonError(400, "availableTime must be a YYYYMMDDHHmmss timestamp (Japan time)");
    if ((!given.empty() && !isTimestamp14(given)) || (!withdrawn.empty() && !isTimestamp14(withdrawn)))
        return jsonError(400, "consentTime and withdrawnAt must be YYYYMMDDHHmmss timestamps (Japan time)");
    std::string now = jstTimestampNow();
    // Without a consentTime the consent was given 24 hours before it ends, but not later than now.
    block.consTime = given.empty() ? std::min(now, shiftedTimestamp(available, -24L * 3600)) : given;
    block.availableTime = available;
    block.withdrawnAt = withdrawn;
    if (block.consTime > block.availableTime) return jsonError(400, "consentTime is after availableTime");
    const Person* person = uniquePerson(state.population, key);
    if (!person) return jsonError(404, "no single registered person has these identifiers");
    state.outpatientConsents.set(institution, state.population.indexOf(*person), block);
    return jsonAnswer(200, outpatientJson(block, institution, *person, state.population, now));
}

StoredAnswer clearOutpatientConsents(const ControlCall&, SimState& state) {
    std::size_t count = state.outpatientConsents.size();
    state.outpatientConsents.clear();
    return jsonAnswer(200, countJson(count));
}

}  // namespace ksim
