#include "home_consent_handlers.hpp"

#include <algorithm>
#include <cctype>

#include <Poco/JSON/Array.h>

#include "codes.hpp"
#include "event_log.hpp"
#include "japan_time.hpp"
#include "json_io.hpp"
#include "medical_aid.hpp"
#include "medical_info.hpp"
#include "outpatient_consents.hpp"
#include "qualification.hpp"
#include "xml_reader.hpp"

namespace ksim {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

RequestHeader requestHeaderOf(const XmlElement& header) {
    return {header.childText("QualificationConfirmationDate"), header.childText("MedicalInstitutionCode"),
            header.childText("ArbitraryFileIdentifier")};
}

// Reads an XmlMsg body that must speak for the certificate's institution.
bool readOwnXmlMsg(const ApiCall& call, XmlMsgRead& read, AnswerHeader& header, StoredAnswer& refusal) {
    read = readXmlMsg(call.body);
    if (!read.ok) {
        refusal = errorAnswer(SimError::MalformedXml, {"", call.institution, ""}, read.error);
        return false;
    }
    header = answerHeader(requestHeaderOf(read.header), call.institution);
    return ownInstitution(read.header.childText("MedicalInstitutionCode"), call.institution, header, refusal);
}

// --- GET /v1/home-consent/url ---

}  // namespace

StoredAnswer handleHomeConsentUrl(const ApiCall& call, SimState& state) {
    Object::Ptr o = new Object;
    o->set("url", state.controlBaseUrl + "/home-reception/" + state.consents.tokenFor(call.institution));
    o->set("institutionCode", call.institution);
    return jsonAnswer(200, o);
}

// --- POST /v1/home-consent/qualifications ---

namespace {

struct DateRange {
    bool byConsentDate = false;
    std::string from, to;
};

// Either ConsentDateFrom/To or ExaminationDateFrom/To, both ends, real dates, from ≤ to.
bool readRange(const XmlElement& search, const AnswerHeader& header, DateRange& range, StoredAnswer& refusal) {
    std::string cf = trimmed(search.childText("ConsentDateFrom")), ct = trimmed(search.childText("ConsentDateTo"));
    std::string ef = trimmed(search.childText("ExaminationDateFrom"));
    std::string et = trimmed(search.childText("ExaminationDateTo"));
    bool byConsent = !cf.empty() || !ct.empty(), byExamination = !ef.empty() || !et.empty();
    if (byConsent && byExamination) {
        refusal = errorAnswer(SimError::InvalidValue, header,
                              "give either ConsentDateFrom/To or ExaminationDateFrom/To, not both");
    } else if (!byConsent && !byExamination) {
        refusal = errorAnswer(SimError::BadRequestContent, header,
                              "ConsentDateFrom/To or ExaminationDateFrom/To is required");
    } else {
        range = byConsent ? DateRange{true, cf, ct} : DateRange{false, ef, et};
        if (range.from.empty() || range.to.empty())
            refusal = errorAnswer(SimError::BadRequestContent, header, "both ends of the date range are required");
        else if (!isDate8(range.from) || !isDate8(range.to))
            refusal = errorAnswer(SimError::InvalidValue, header, "the date range is not two real YYYYMMDD dates");
        else if (range.from > range.to)
            refusal = errorAnswer(SimError::InvalidValue, header, "the date range ends before it starts");
        else
            return true;
    }
    return false;
}

}  // namespace

StoredAnswer handleHomeConsentQualifications(const ApiCall& call, SimState& state) {
    XmlMsgRead read;
    AnswerHeader header;
    StoredAnswer refusal;
    if (!readOwnXmlMsg(call, read, header, refusal)) return refusal;
    const XmlElement* search = read.body.child("QualificationConfirmSearchInfo");
    if (!search)
        return errorAnswer(SimError::BadRequestContent, header, "QualificationConfirmSearchInfo is missing");
    std::string flag = trimmed(search->childText("MedicalTreatmentFlag"));
    if (flag.empty()) flag = trimmed(read.body.childText("MedicalTreatmentFlag"));
    if (flag.empty()) return errorAnswer(SimError::BadRequestContent, header, "MedicalTreatmentFlag is missing");
    if (flag != "2" && flag != "3")
        return errorAnswer(SimError::InvalidValue, header, "MedicalTreatmentFlag must be 2 or 3");
    DateRange range;
    if (!readRange(*search, header, range, refusal)) return refusal;

    std::vector<Consent> matching;
    for (const Consent& c : state.consents.ofInstitution(call.institution)) {
        if (c.withdrawn() || c.treatmentFlag != flag) continue;
        std::string day = range.byConsentDate ? c.consentTime.substr(0, 8) : c.examinationDate;
        if (day >= range.from && day <= range.to) matching.push_back(c);
    }
    std::stable_sort(matching.begin(), matching.end(), [](const Consent& a, const Consent& b) {
        return a.consentTime != b.consentTime ? a.consentTime < b.consentTime : a.id < b.id;
    });
    auto batch = state.batches.addHomeConsent(call.institution, requestHeaderOf(read.header), std::move(matching));
    return {202, batchReceptionDocument(header, batch->reception, batch->receptionDateTime),
            {{"Location", "/v1/qualifications/batches/" + batch->reception}}};
}

// --- POST /v1/reference-numbers ---

namespace {

bool isReferenceNumber(const std::string& s) {
    if (s.empty() || s.size() > 20) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    return true;
}

RegistrationResult registerOne(const XmlElement& info, const std::string& institution, SimState& state) {
    RegistrationResult r{info.childText("ReferenceNumber"), info.childText("InsurerNumber"),
                         info.childText("InsuredCardSymbol"), info.childText("InsuredIdentificationNumber"),
                         info.childText("InsuredBranchNumber"), "2", "", ""};
    std::string number = trimmed(r.referenceNumber), insurer = trimmed(r.insurerNumber);
    std::string branch = trimmed(r.branchNumber), birth = trimmed(info.childText("Birthdate"));
    auto fail = [&r](const char* code, const char* message) {
        r.code = code;
        r.message = message;
        return r;
    };
    if (number.empty() || insurer.empty() || trimmed(r.cardNumber).empty())
        return fail("SIM-R001", "必須項目（照会番号・保険者番号・被保険者番号）が設定されていません");
    if (!isReferenceNumber(number))
        return fail("SIM-R002", "照会番号は1～20文字の英数字とハイフンで指定してください");
    if (!isValidInsurerNumber(foldedIdentifier(insurer)))
        return fail("SIM-R003", "保険者番号の形式または検証番号が正しくありません");
    if (!branch.empty() && (branch.size() != 2 || !isAllDigits(branch)))
        return fail("SIM-R004", "枝番の形式が正しくありません");
    SearchKey key{r.insurerNumber, r.cardSymbol, r.cardNumber, r.branchNumber, birth};
    auto found = birth.empty() ? state.population.findByCard(key) : state.population.find(key);
    if (found.empty()) return fail("SIM-R005", "該当する被保険者が見つかりません");
    if (found.size() > 1 || found.front()->validity == '5')
        return fail("SIM-R006", "複数の被保険者が該当します（枝番を指定してください）");
    if (!state.consents.registerReference(institution, state.population.indexOf(*found.front()), number))
        return fail("SIM-R007", "この照会番号は既に別の被保険者に登録されています");
    r.status = "1";
    return r;
}

}  // namespace

StoredAnswer handleReferenceNumbers(const ApiCall& call, SimState& state) {
    XmlMsgRead read;
    AnswerHeader header;
    StoredAnswer refusal;
    if (!readOwnXmlMsg(call, read, header, refusal)) return refusal;
    std::vector<const XmlElement*> entries;  // in document order, single and bulk forms alike
    for (const XmlElement& child : read.body.children) {
        if (child.name == "ReferenceNumberRegistrationInfo") entries.push_back(&child);
        if (child.name == "BulkRegistrationUnit")
            for (const XmlElement* info : child.all("ReferenceNumberRegistrationInfo")) entries.push_back(info);
    }
    if (entries.empty())
        return errorAnswer(SimError::BadRequestContent, header, "ReferenceNumberRegistrationInfo is missing");
    std::vector<RegistrationResult> results;
    for (const XmlElement* info : entries) results.push_back(registerOne(*info, call.institution, state));
    return {200, registrationResultDocument(header, results), {}};
}

// --- POST /v1/medical-info/{medication,checkup,clinical} ---

namespace {

MedicalInfoRequest medicalInfoRequestOf(const XmlMsgRead& read) {
    const XmlElement& h = read.header;
    const XmlElement& b = read.body;
    MedicalInfoRequest q;
    q.institutionCode = h.childText("MedicalInstitutionCode");
    q.insurerNumber = h.childText("InsurerNumber");
    q.cardSymbol = h.childText("InsuranceCardSymbol");
    q.cardNumber = h.childText("InsuredPersonIdentificationNumber");
    q.branchNumber = h.childText("BranchNumber");
    q.arbitraryFileIdentifier = h.childText("ArbitraryFileIdentifier");
    q.birthDate = b.child("Birthdate") ? b.childText("Birthdate") : h.childText("Birthdate");
    q.startDate = b.childText("StartDate");
    q.endDate = b.childText("EndDate");
    q.fileCategory = b.childText("FileCategory");
    q.classification = b.childText("PrDiInfClassification");
    q.treatmentFlag = b.childText("MedicalTreatmentFlag");
    return q;
}

// StartDate / EndDate: YYYYMM as receipt computers send them, or YYYYMMDD (the earlier shape).
bool isPeriodDate(const std::string& s) { return isMonth6(s) || isDate8(s); }

// Empty when the request is acceptable; else the reason (and whether it is a missing element).
std::string medicalInfoProblem(const MedicalInfoRequest& q, bool& missing) {
    missing = true;
    if (trimmed(q.insurerNumber).empty() || trimmed(q.cardNumber).empty())
        return "InsurerNumber and InsuredPersonIdentificationNumber are required";
    if (trimmed(q.treatmentFlag).empty()) return "MedicalTreatmentFlag is required";
    missing = false;
    std::string branch = trimmed(q.branchNumber), birth = trimmed(q.birthDate);
    std::string start = trimmed(q.startDate), end = trimmed(q.endDate);
    std::string category = trimmed(q.fileCategory), flag = trimmed(q.treatmentFlag);
    if (!isValidInsurerNumber(foldedIdentifier(q.insurerNumber)))
        return "InsurerNumber is not 8 or 6 digits with a valid check digit";
    if (!branch.empty() && (branch.size() != 2 || !isAllDigits(branch))) return "BranchNumber is not 2 digits";
    if (!birth.empty() && !isDate8(birth)) return "Birthdate is not a real YYYYMMDD date";
    if ((!start.empty() && !isPeriodDate(start)) || (!end.empty() && !isPeriodDate(end)))
        return "StartDate or EndDate is not a YYYYMM month (or a YYYYMMDD date)";
    // Compared as the first day of the start and the last possible day of the end.
    if (!start.empty() && !end.empty() && (start.size() == 6 ? start + "01" : start) > (end.size() == 6 ? end + "31" : end))
        return "EndDate is before StartDate";
    if (!category.empty() && (category.size() != 1 || category < "1" || category > "4"))
        return "FileCategory must be 1 or 3 (PDF), 2 or 4 (XML)";
    if (flag != "1" && flag != "2" && flag != "3") return "MedicalTreatmentFlag must be 1, 2 or 3";
    return "";
}

const char* scopeLabel(Scope scope) {
    switch (scope) {
        case Scope::Medication: return "薬剤情報";
        case Scope::Clinical: return "診療情報";
        case Scope::Checkup: return "特定健診等情報";
    }
    return "";
}

// Whether information of one scope may be given, and the times the answer or refusal names.
struct Grant {
    ConsentVerdict verdict = ConsentVerdict::NoConsent;
    std::string availableTime, withdrawnAt;
};

// Outpatient (MedicalTreatmentFlag 1): the consent block of the person's qualification at this
// institution decides.
Grant outpatientGrant(const std::optional<ConsentBlock>& block, Scope scope, const std::string& now) {
    Grant g;
    if (!block || !block->has(scope) || now < block->consTime) return g;
    g.availableTime = block->availableTime;
    g.withdrawnAt = block->withdrawnAt;
    if (!block->withdrawnAt.empty()) g.verdict = ConsentVerdict::Withdrawn;
    else if (now > block->availableTime) g.verdict = ConsentVerdict::Expired;
    else g.verdict = ConsentVerdict::Allowed;
    return g;
}

// Home visits and online care (flags 2 and 3): the home consents registered at this institution.
Grant homeGrant(const std::vector<Consent>& consents, Scope scope, const std::string& now) {
    ConsentDecision d = decideConsent(consents, scope, now);
    Grant g;
    g.verdict = d.verdict;
    if (d.consent) {
        g.availableTime = d.consent->availableTime;
        g.withdrawnAt = d.consent->withdrawnAt;
    }
    return g;
}

// The one registered person the card names; the birth date (earlier shape only) narrows the match.
const Person* medicalInfoPerson(const Population& population, const MedicalInfoRequest& q) {
    SearchKey key{q.insurerNumber, q.cardSymbol, q.cardNumber, q.branchNumber, trimmed(q.birthDate)};
    auto found = key.birthDate.empty() ? population.findByCard(key) : population.find(key);
    if (found.size() != 1 || (found.front()->validity != '1' && found.front()->validity != '2')) return nullptr;
    return found.front();
}

}  // namespace

StoredAnswer handleMedicalInfo(const ApiCall& call, SimState& state) {
    Scope scope;
    if (!parseScope(call.params.at(0), scope)) return errorAnswer(SimError::UnknownPath, {"", call.institution, ""});
    XmlMsgRead read;
    AnswerHeader header;
    StoredAnswer refusal;
    if (!readOwnXmlMsg(call, read, header, refusal)) return refusal;
    MedicalInfoRequest q = medicalInfoRequestOf(read);
    q.institutionCode = call.institution;
    bool missing = false;
    std::string problem = medicalInfoProblem(q, missing);
    if (!problem.empty())
        return errorAnswer(missing ? SimError::BadRequestContent : SimError::InvalidValue, header, problem);

    std::string now = jstTimestampNow();
    const Person* person = medicalInfoPerson(state.population, q);
    Grant grant;
    if (person && trimmed(q.treatmentFlag) == "1")
        grant = outpatientGrant(outpatientConsentFor(state.outpatientConsents, state.population, call.institution, *person),
                                scope, now);
    else if (person)
        grant = homeGrant(state.consents.ofPerson(call.institution, state.population.indexOf(*person)), scope, now);
    std::string code, message;
    switch (grant.verdict) {
        case ConsentVerdict::Allowed: break;
        case ConsentVerdict::NoConsent:
            code = "SIM-CNS-001";
            message = std::string("同意がありません（この医療機関等で") + scopeLabel(scope) + "の提供に同意した記録がありません）";
            break;
        case ConsentVerdict::Expired:
            code = "SIM-CNS-002";
            message = "同意の有効期限が切れています（有効期限 " + grant.availableTime + "）";
            break;
        case ConsentVerdict::Withdrawn:
            code = "SIM-CNS-003";
            message = "同意が撤回されています（撤回日時 " + grant.withdrawnAt + "）";
            break;
    }
    if (!code.empty()) return {403, medicalInfoRefusalDocument(q, code, message), {}};
    std::string category = trimmed(q.fileCategory);
    if (category == "1" || category == "3")
        return {200, medicalInfoPdf(scope, q, *person, state.population, grant.availableTime),
                {{"Content-Type", "application/pdf"}}};
    return {200, medicalInfoDocument(scope, q, *person, state.population), {}};
}

// --- /v1/consents/withdrawals ---

Object::Ptr withdrawalJson(const Withdrawal& w, const Population& population) {
    Object::Ptr o = new Object;
    o->set("withdrawalId", w.id);
    setIdentifiers(o, population.persons()[w.person], population);
    o->set("withdrawnAt", w.withdrawnAt);
    o->set("by", w.by);
    Array::Ptr ids = new Array;
    for (const std::string& id : w.consentIds) ids->add(id);
    o->set("consentIds", ids);
    return o;
}

StoredAnswer handleWithdrawalByFacility(const ApiCall& call, SimState& state) {
    Object::Ptr in;
    std::string error, named;
    if (!parseJsonObject(call.body, in, error)) return jsonError(400, error, "SIM-4002");
    if (!stringField(in, "medicalInstitutionCode", named, error)) return jsonError(400, error, "SIM-4004");
    if (!named.empty() && trimmed(named) != call.institution)
        return jsonError(403, errorInfo(SimError::WrongInstitution).message, "SIM-4031");
    SearchKey key;
    if (!readIdentifiers(in, key, error)) return jsonError(400, error, "SIM-4004");
    const Person* person = uniquePerson(state.population, key);
    std::optional<Withdrawal> w;
    if (person)
        w = state.consents.withdraw(call.institution, state.population.indexOf(*person), "facility");
    if (!w) return jsonError(404, "取り消す同意がありません（この医療機関等で有効な同意が見つかりません）", "SIM-CNS-005");
    logEvent("sim.withdrawal", {{"id", w->id}, {"institution", w->institution}, {"by", w->by},
                                {"consents", std::to_string(w->consentIds.size())}});
    return jsonAnswer(200, withdrawalJson(*w, state.population));
}

StoredAnswer handleWithdrawalList(const ApiCall& call, SimState& state) {
    std::string since = call.queryValue("since");
    if (!since.empty() && !isTimestamp14(since))
        return jsonError(400, "since must be a YYYYMMDDHHmmss timestamp (Japan time)", "SIM-4004");
    std::string asOf;
    Array::Ptr list = new Array;
    for (const Withdrawal& w : state.consents.withdrawals(call.institution, since, asOf))
        list->add(withdrawalJson(w, state.population));
    Object::Ptr o = new Object;
    o->set("withdrawals", list);
    o->set("asOf", asOf);
    return jsonAnswer(200, o);
}

}  // namespace ksim
