#include "consent_json.hpp"

#include <Poco/JSON/Array.h>

#include "codes.hpp"
#include "japan_time.hpp"
#include "json_io.hpp"

namespace ksim {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

bool readScopes(const Object::Ptr& in, Consent& c) {
    if (!in->has("scopes") || in->isNull("scopes")) return true;
    if (!in->isArray("scopes")) return false;
    Array::Ptr scopes = in->getArray("scopes");
    for (std::size_t i = 0; i < scopes->size(); ++i) {
        Scope s;
        Poco::Dynamic::Var v = scopes->get(static_cast<unsigned>(i));
        if (!v.isString() || !parseScope(v.convert<std::string>(), s)) return false;
        (s == Scope::Medication ? c.medication : s == Scope::Clinical ? c.clinical : c.checkup) = true;
    }
    return true;
}

}  // namespace

ConsentChoiceProblem readConsentChoice(const Object::Ptr& in, Consent& c) {
    if (!readScopes(in, c)) return ConsentChoiceProblem::Scopes;
    Poco::Dynamic::Var flag = in->has("medicalTreatmentFlag") ? in->get("medicalTreatmentFlag") : Poco::Dynamic::Var();
    std::string flagText = flag.isString() || flag.isInteger() ? flag.convert<std::string>() : "";
    if (flagText != "2" && flagText != "3") return ConsentChoiceProblem::TreatmentFlag;
    c.treatmentFlag = flagText;
    std::string error;
    if (!stringField(in, "examinationDate", c.examinationDate, error) || !isDate8(c.examinationDate))
        return ConsentChoiceProblem::ExaminationDate;
    if (c.examinationDate < jstDateNow()) return ConsentChoiceProblem::ExaminationDateBeforeToday;
    return ConsentChoiceProblem::None;
}

Object::Ptr consentJson(const Consent& c, const Population& population, const std::string& now) {
    Object::Ptr o = new Object;
    o->set("consentId", c.id);
    o->set("institution", c.institution);
    setIdentifiers(o, population.persons()[c.person], population);
    Array::Ptr scopes = new Array;
    for (Scope s : {Scope::Medication, Scope::Clinical, Scope::Checkup})
        if (c.has(s)) scopes->add(std::string(scopeName(s)));
    o->set("scopes", scopes);
    o->set("medicalTreatmentFlag", std::stoi(c.treatmentFlag));
    o->set("examinationDate", c.examinationDate);
    o->set("consentTime", c.consentTime);
    o->set("availableTime", c.availableTime);
    o->set("withdrawnAt", c.withdrawn() ? Poco::Dynamic::Var(c.withdrawnAt) : Poco::Dynamic::Var());
    o->set("withdrawnBy", c.withdrawn() ? Poco::Dynamic::Var(c.withdrawnBy) : Poco::Dynamic::Var());
    o->set("state", std::string(c.stateAt(now)));
    return o;
}

std::string scopeList(const Consent& c) {
    std::string out;
    for (Scope s : {Scope::Medication, Scope::Clinical, Scope::Checkup})
        if (c.has(s)) out += (out.empty() ? "" : "+") + std::string(scopeName(s));
    return out.empty() ? "none" : out;
}

}  // namespace ksim
