#include "home_reception.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "codes.hpp"
#include "consent_json.hpp"
#include "event_log.hpp"
#include "home_consent_handlers.hpp"
#include "http_io.hpp"
#include "japan_time.hpp"
#include "json_io.hpp"
#include "qualification.hpp"
#include "xml_writer.hpp"

namespace ksim {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

const char* const kHtml = "text/html; charset=UTF-8";

// The page: the form posts JSON to the scriptable endpoints with a few lines of script.
const char* const kPage = R"HTML(<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>マイナ在宅受付Web（シミュレーター）</title>
<style>
body { font-family: sans-serif; max-width: 40em; margin: 1em auto; padding: 0 1em; }
label { display: block; margin: .4em 0; }
fieldset { margin: 1em 0; }
#result { margin-top: 1em; font-weight: bold; }
.note { color: #a00; }
</style>
</head>
<body>
<h1>マイナ在宅受付Web（シミュレーター）</h1>
<p class="note">試験用のシミュレーターです。実在のサービスではありません。</p>
<p>医療機関等コード: {{INSTITUTION}}</p>
<form id="consent">
<fieldset><legend>被保険者情報（マイナンバーカードの読み取りの代わり）</legend>
<label>保険者番号 <input name="insurerNumber" required inputmode="numeric"></label>
<label>記号 <input name="cardSymbol"></label>
<label>番号 <input name="cardNumber" required></label>
<label>枝番 <input name="branchNumber" inputmode="numeric" maxlength="2"></label>
<label>生年月日（YYYYMMDD） <input name="birthDate" required pattern="[0-9]{8}" inputmode="numeric"></label>
</fieldset>
<fieldset><legend>情報の提供に同意する</legend>
<label><input type="checkbox" name="scope" value="medication"> 薬剤情報</label>
<label><input type="checkbox" name="scope" value="clinical"> 診療情報</label>
<label><input type="checkbox" name="scope" value="checkup"> 特定健診等情報</label>
</fieldset>
<fieldset><legend>診療の種類</legend>
<label><input type="radio" name="medicalTreatmentFlag" value="3" checked> オンライン診療等</label>
<label><input type="radio" name="medicalTreatmentFlag" value="2"> 訪問診療等</label>
</fieldset>
<label>診療予定日（YYYYMMDD） <input name="examinationDate" required pattern="[0-9]{8}" value="{{TODAY}}"></label>
<label>暗証番号（4桁） <input name="pin" type="password" required pattern="[0-9]{4}" maxlength="4" inputmode="numeric"></label>
<button type="submit">同意して登録する</button>
<button type="button" id="withdraw">この医療機関等への同意をすべて撤回する</button>
</form>
<p id="result" role="status"></p>
<script>
const base = "/sim/home-reception/{{TOKEN}}/";
const form = document.getElementById("consent"), out = document.getElementById("result");
function identifiers() {
  const o = {};
  for (const k of ["insurerNumber", "cardSymbol", "cardNumber", "branchNumber", "birthDate"]) {
    const v = form.elements[k].value.trim();
    if (v) o[k] = v;
  }
  return o;
}
async function post(path, body) {
  const r = await fetch(base + path, {method: "POST", headers: {"Content-Type": "application/json"},
                                      body: JSON.stringify(body)});
  return [r.status, await r.json()];
}
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = identifiers();
  body.scopes = [...form.querySelectorAll("input[name=scope]:checked")].map((x) => x.value);
  body.medicalTreatmentFlag = Number(form.elements.medicalTreatmentFlag.value);
  body.examinationDate = form.elements.examinationDate.value.trim();
  body.pin = form.elements.pin.value;
  const [status, r] = await post("consent", body);
  out.textContent = status === 200 ? "同意登録が完了しました（有効期限 " + r.availableTime + "）" : "エラー: " + r.error;
});
document.getElementById("withdraw").addEventListener("click", async () => {
  const [status, r] = await post("withdraw", identifiers());
  out.textContent = status === 200 ? "同意を撤回しました（" + r.withdrawnAt + "）" : "エラー: " + r.error;
});
</script>
</body>
</html>
)HTML";

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

StoredAnswer html(int status, const std::string& body) { return {status, body, {{"Content-Type", kHtml}}}; }

const char* choiceProblemText(ConsentChoiceProblem problem) {
    switch (problem) {
        case ConsentChoiceProblem::None: break;
        case ConsentChoiceProblem::Scopes: return "scopes must be an array of \"medication\", \"clinical\", \"checkup\"";
        case ConsentChoiceProblem::TreatmentFlag: return "medicalTreatmentFlag must be 2 (訪問診療等) or 3 (オンライン診療等)";
        case ConsentChoiceProblem::ExaminationDate: return "examinationDate must be a real YYYYMMDD date";
        case ConsentChoiceProblem::ExaminationDateBeforeToday: return "examinationDate is before today (Japan time)";
    }
    return "";
}

// The consent request's fields other than the identifiers; false with a message for a 400.
bool readConsentFields(const Object::Ptr& in, Consent& c, std::string& pin, std::string& error) {
    if (!stringField(in, "pin", pin, error)) return false;
    if (pin.empty()) {
        error = "pin is required";
        return false;
    }
    ConsentChoiceProblem problem = readConsentChoice(in, c);
    if (problem != ConsentChoiceProblem::None) {
        error = choiceProblemText(problem);
        return false;
    }
    std::string consentTime;
    if (!stringField(in, "consentTime", consentTime, error)) return false;
    std::string now = jstTimestampNow();
    if (!consentTime.empty() && !isTimestamp14(consentTime)) {
        error = "consentTime must be a YYYYMMDDHHmmss timestamp (Japan time)";
    } else if (consentTime > now) {
        error = "consentTime is in the future";
    } else {
        c.consentTime = consentTime.empty() ? now : consentTime;
        c.availableTime = c.examinationDate + "235959";
        return true;
    }
    return false;
}

}  // namespace

StoredAnswer homeReceptionPage(const ControlCall& call, SimState& state) {
    const std::string& token = call.params.at(0);
    std::string institution = state.consents.institutionForToken(token);
    if (institution.empty())
        return html(404, "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>マイナ在宅受付Web"
                         "（シミュレーター）</title></head><body><p>このURLは無効です。</p></body></html>\n");
    std::string page = kPage;
    replaceAll(page, "{{INSTITUTION}}", xmlEscaped(institution));
    replaceAll(page, "{{TOKEN}}", xmlEscaped(token));
    replaceAll(page, "{{TODAY}}", jstDateNow());
    return html(200, page);
}

StoredAnswer homeReceptionConsent(const ControlCall& call, SimState& state) {
    std::string institution = state.consents.institutionForToken(call.params.at(0));
    if (institution.empty()) return jsonError(404, "unknown home-reception token");
    Object::Ptr in;
    std::string error, pin;
    SearchKey key;
    Consent consent;
    if (!parseJsonObject(call.body, in, error) || !readIdentifiers(in, key, error) ||
        !readConsentFields(in, consent, pin, error))
        return jsonError(400, error);
    const Person* person = uniquePerson(state.population, key);
    if (!person) return jsonError(404, "no single registered person matches the identifiers");
    consent.person = state.population.indexOf(*person);
    consent.institution = institution;
    PinCheck check = state.consents.checkPin(consent.person, pin);
    if (!check.accepted) {
        Object::Ptr o = new Object;
        o->set("error", check.blocked ? "暗証番号がロックされています（3回続けて誤りました）"
                                      : "暗証番号が正しくありません（残り" + std::to_string(check.remainingTries) + "回）");
        o->set("remainingTries", check.remainingTries);
        o->set("blocked", check.blocked);
        return jsonAnswer(403, o);
    }
    consent = state.consents.add(consent);
    logEvent("sim.consent", {{"id", consent.id}, {"institution", institution}, {"scopes", scopeList(consent)},
                             {"flag", consent.treatmentFlag}});
    Object::Ptr o = consentJson(consent, state.population, jstTimestampNow());
    return jsonAnswer(200, o);
}

StoredAnswer homeReceptionWithdraw(const ControlCall& call, SimState& state) {
    std::string institution = state.consents.institutionForToken(call.params.at(0));
    if (institution.empty()) return jsonError(404, "unknown home-reception token");
    Object::Ptr in;
    std::string error;
    SearchKey key;
    if (!parseJsonObject(call.body, in, error) || !readIdentifiers(in, key, error)) return jsonError(400, error);
    const Person* person = uniquePerson(state.population, key);
    if (!person) return jsonError(404, "no single registered person matches the identifiers");
    auto w = state.consents.withdraw(institution, state.population.indexOf(*person), "patient");
    if (!w) return jsonError(404, "撤回できる同意がありません（この医療機関等で有効な同意が見つかりません）", "SIM-CNS-005");
    logEvent("sim.withdrawal", {{"id", w->id}, {"institution", w->institution}, {"by", w->by},
                                {"consents", std::to_string(w->consentIds.size())}});
    return jsonAnswer(200, withdrawalJson(*w, state.population));
}

StoredAnswer homeReceptionUrl(const ControlCall& call, SimState& state) {
    std::string institution = queryParameter(call.request, "institution", "");
    if (!isValidInstitutionCode(institution))
        return jsonError(400, "institution must be a 10-digit 医療機関等コード with a valid check digit");
    std::string token = state.consents.tokenFor(institution);
    Object::Ptr o = new Object;
    o->set("url", state.controlBaseUrl + "/home-reception/" + token);
    o->set("institutionCode", institution);
    o->set("token", token);
    return jsonAnswer(200, o);
}

StoredAnswer listConsents(const ControlCall&, SimState& state) {
    std::string now = jstTimestampNow();
    Array::Ptr consents = new Array, withdrawals = new Array, references = new Array;
    for (const Consent& c : state.consents.all()) consents->add(consentJson(c, state.population, now));
    for (const Withdrawal& w : state.consents.allWithdrawals()) {
        Object::Ptr o = withdrawalJson(w, state.population);
        o->set("institution", w.institution);
        withdrawals->add(o);
    }
    for (const ReferenceEntry& r : state.consents.allReferences()) {
        Object::Ptr o = new Object;
        o->set("institution", r.institution);
        o->set("referenceNumber", r.referenceNumber);
        setIdentifiers(o, state.population.persons()[r.person], state.population);
        references->add(o);
    }
    Object::Ptr o = new Object;
    o->set("consents", consents);
    o->set("withdrawals", withdrawals);
    o->set("referenceNumbers", references);
    return jsonAnswer(200, o);
}

StoredAnswer expireConsent(const ControlCall& call, SimState& state) {
    auto consent = state.consents.expire(call.params.at(0), ymd(jstTodayDays() - 1));
    if (!consent) return jsonError(404, "unknown consentId");
    return jsonAnswer(200, consentJson(*consent, state.population, jstTimestampNow()));
}

}  // namespace ksim
