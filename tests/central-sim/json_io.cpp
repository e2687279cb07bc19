#include "json_io.hpp"

#include <sstream>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "codes.hpp"
#include "japan_time.hpp"
#include "outpatient_consents.hpp"

namespace ksim {

const char* const kJsonContentType = "application/json; charset=UTF-8";

StoredAnswer jsonAnswer(int status, const Poco::JSON::Object::Ptr& object) {
    std::ostringstream out;
    object->stringify(out);
    return {status, out.str(), {{"Content-Type", kJsonContentType}}};
}

StoredAnswer jsonError(int status, const std::string& message, const std::string& code) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("error", message);
    if (!code.empty()) o->set("code", code);
    return jsonAnswer(status, o);
}

bool parseJsonObject(const std::string& body, Poco::JSON::Object::Ptr& object, std::string& error) {
    try {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(body);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
            error = "the body is not a JSON object";
            return false;
        }
        object = parsed.extract<Poco::JSON::Object::Ptr>();
        return true;
    } catch (const Poco::Exception& e) {
        error = "the body is not JSON: " + e.displayText();
    } catch (const std::exception& e) {
        error = std::string("the body is not JSON: ") + e.what();
    }
    return false;
}

bool stringField(const Poco::JSON::Object::Ptr& object, const std::string& key, std::string& value,
                 std::string& error) {
    value.clear();
    if (!object->has(key) || object->isNull(key)) return true;
    Poco::Dynamic::Var v = object->get(key);
    if (!v.isString()) {
        error = key + " must be a string";
        return false;
    }
    value = v.convert<std::string>();
    return true;
}

bool readIdentifiers(const Poco::JSON::Object::Ptr& object, SearchKey& key, std::string& error) {
    if (!stringField(object, "insurerNumber", key.insurerNumber, error) ||
        !stringField(object, "cardSymbol", key.cardSymbol, error) ||
        !stringField(object, "cardNumber", key.cardNumber, error) ||
        !stringField(object, "branchNumber", key.branchNumber, error) ||
        !stringField(object, "birthDate", key.birthDate, error))
        return false;
    std::string branch = trimmed(key.branchNumber);
    if (trimmed(key.insurerNumber).empty() || trimmed(key.cardNumber).empty() || trimmed(key.birthDate).empty())
        error = "insurerNumber, cardNumber and birthDate are required";
    else if (!isValidInsurerNumber(foldedIdentifier(trimmed(key.insurerNumber))))
        error = "insurerNumber is not 8 or 6 digits with a valid check digit";
    else if (!isDate8(trimmed(key.birthDate)))
        error = "birthDate is not a real YYYYMMDD date";
    else if (!branch.empty() && (branch.size() != 2 || !isAllDigits(branch)))
        error = "branchNumber is not 2 digits";
    else
        return true;
    return false;
}

void setIdentifiers(Poco::JSON::Object::Ptr& object, const Person& p, const Population& population) {
    object->set("insurerNumber", trimmed(population.insurerOf(p).number));
    object->set("cardSymbol", p.cardSymbol);
    object->set("cardNumber", p.cardNumber);
    object->set("branchNumber", p.branchNumber);
    object->set("birthDate", p.birthDate);
}

Poco::JSON::Object::Ptr personJson(const Person& p, const Population& population) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("insurerNumber", trimmed(population.insurerOf(p).number));
    o->set("insurerName", population.insurerOf(p).name);
    o->set("cardSymbol", p.cardSymbol);
    o->set("cardNumber", p.cardNumber);
    o->set("branchNumber", p.branchNumber);
    o->set("birthDate", p.birthDate);
    o->set("name", p.name);
    o->set("nameKana", p.nameKana);
    o->set("sex", p.sex);
    o->set("validity", std::string(1, p.validity));
    o->set("kind", kindName(p.kind));
    o->set("contributionRatio", p.contributionRatio);
    o->set("elderlyCertificate", p.elderly.has_value());
    o->set("limitCertificate", p.limit.has_value());
    o->set("prescriptionIssueSelect", p.prescriptionIssueSelect);
    Poco::JSON::Array::Ptr diseases = new Poco::JSON::Array;
    for (const SpecificDiseaseCertificate& c : p.specificDiseases) {
        Poco::JSON::Object::Ptr d = new Poco::JSON::Object;
        d->set("category", c.category);
        d->set("certificateDate", c.certificateDate);
        d->set("validStartDate", c.validStart);
        d->set("validEndDate", c.validEnd.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(c.validEnd));
        d->set("selfPay", c.selfPay);
        diseases->add(d);
    }
    o->set("specificDiseases", diseases);
    if (p.assistance) {
        const PublicAssistance& a = *p.assistance;
        Poco::JSON::Object::Ptr pa = new Poco::JSON::Object;
        pa->set("publicExpenseNumber", a.publicExpenseNumber);
        pa->set("beneficiaryNumber", a.beneficiaryNumber);
        pa->set("welfareOfficeName", a.welfareOfficeName);
        pa->set("prefecture", a.prefecture);
        pa->set("startDate", a.startDate);
        pa->set("endDate", a.endDate.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(a.endDate));
        pa->set("withInsurance", p.insured());
        o->set("publicAssistance", pa);
    } else {
        o->set("publicAssistance", Poco::Dynamic::Var());
    }
    if (auto c = populationOutpatientConsent(p, jstDateNow())) {
        Poco::JSON::Object::Ptr oc = new Poco::JSON::Object;
        Poco::JSON::Array::Ptr scopes = new Poco::JSON::Array;
        for (Scope s : {Scope::Medication, Scope::Clinical, Scope::Checkup})
            if (c->has(s)) scopes->add(std::string(scopeName(s)));
        oc->set("scopes", scopes);
        oc->set("consTime", c->consTime);
        oc->set("availableTime", c->availableTime);
        oc->set("expired", p.outpatient->expired);
        o->set("outpatientConsent", oc);
    } else {
        o->set("outpatientConsent", Poco::Dynamic::Var());
    }
    return o;
}

}  // namespace ksim
