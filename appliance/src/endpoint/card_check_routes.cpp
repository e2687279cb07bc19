#include "endpoint/card_check_routes.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>

#include "base/json_writer.hpp"
#include "endpoint/http_api.hpp"
#include "endpoint/json_answer.hpp"
#include "endpoint/json_request.hpp"
#include "endpoint/pin_request.hpp"
#include "endpoint/staff_sign_in.hpp"

namespace kh::endpoint {
using base::JsonWriter;
namespace {
using model::ErrorId;
using model::KakehashiError;
using services::CardCheckView;

constexpr int64_t kMaxWaitMillis = 30000;

std::string actorOf(const HttpCall& call) { return call.caller.empty() ? "api" : call.caller; }

// Who checked the card: a staff member signed in on the staff page is the account itself (what the body
// says is ignored); a receipt computer names its staff member in the body.
std::string staffIdOf(const HttpCall& call, const Poco::JSON::Object::Ptr& body) {
    if (const StaffMember* m = staffOf(call)) return m->username;
    return stringMember(body, "staffId");
}

int64_t queryNumber(HttpCall& call, const char* name) {
    const std::string& v = call.query[name];
    if (v.empty()) return 0;
    if (v.size() > 12 || !std::all_of(v.begin(), v.end(), ::isdigit))
        throw KakehashiError(ErrorId::InvalidField, std::string(name) + " must be a whole number");
    return std::stoll(v);
}

std::chrono::milliseconds waitOf(HttpCall& call) {
    return std::chrono::milliseconds(std::min(queryNumber(call, "wait"), kMaxWaitMillis));
}


std::optional<upstream::ConsentRequest> decodeConsent(const Poco::JSON::Object::Ptr& root) {
    auto o = root->getObject("consent");
    if (!o) {
        if (root->has("consent") && !root->isNull("consent"))
            throw KakehashiError(ErrorId::InvalidField, "consent must be an object");
        return std::nullopt;
    }
    upstream::ConsentRequest c;
    if (auto scopes = o->getArray("scopes")) {
        for (size_t i = 0; i < scopes->size(); ++i) {
            std::string s = scopes->getElement<std::string>(unsigned(i));
            if (s != "medication" && s != "clinical" && s != "checkup")
                throw KakehashiError(ErrorId::InvalidField, "consent.scopes: medication, clinical or checkup");
            c.scopes.push_back(s);
        }
    }
    c.medicalTreatmentFlag = o->optValue<int>("medicalTreatmentFlag", 2);
    if (c.medicalTreatmentFlag != 2 && c.medicalTreatmentFlag != 3)
        throw KakehashiError(ErrorId::InvalidField, "consent.medicalTreatmentFlag: 2 (home visit) or 3 (online)");
    c.examinationDate = stringMember(o, "examinationDate");
    if (!model::JapanDate::parse(c.examinationDate))
        throw KakehashiError(ErrorId::InvalidField, "consent.examinationDate: YYYYMMDD");
    return c;
}

// What writeCheck writes.
std::string cardCheckProperties() {
    return R"(
        "id":{"type":"string"},
        "reader":{"type":"string"},
        "mode":{"type":"string","enum":["pin","visual"]},
        "staffId":{"type":"string"},
        "state":{"type":"string","enum":["waiting-for-card","reading-card","awaiting-pin","awaiting-visual-check",
                                         "verifying","verified","failed","cancelled"]},
        "confirmationRequired":{"type":"boolean","description":"残り1回：confirmLastTry: true で送ってください"},
        "version":{"type":"integer","description":"?since= に渡すと次の変化まで待てます"},
        "createdAt":{"type":"string","format":"date-time"},
        "updatedAt":{"type":"string","format":"date-time"},
        "message":{"type":"string","description":"職員向けの説明"},
        "triesLeft":{"type":"integer","description":"暗証番号の残り回数"},
        "error":)" + closedObject(R"("type":{"type":"string"},"code":{"type":"string"},"title":{"type":"string"})",
                                  R"("type","code","title")") + R"(,
        "consentId":{"type":"string"},
        "verifiedAt":{"type":"string"},
        "answer":)" + refTo(eligibilityAnswerSchema());
}

const Schema& cardCheckSchema() {
    static const Schema s{"CardCheck",
                          closedObject(cardCheckProperties(), R"("id","reader","mode","staffId","state","confirmationRequired",
                                                                "version","createdAt","updatedAt")"),
                          {&eligibilityAnswerSchema()}};
    return s;
}

// stepReply: the problem of a step, with the check as it now stands.
const Schema& cardCheckProblemSchema() {
    static const Schema s{"CardCheckProblem",
                          closedObject(problemProperties() + R"(,"check":)" + refTo(cardCheckSchema()), R"("type","title","status","code")"),
                          {&fieldErrorSchema(), &cardCheckSchema()}};
    return s;
}

const Schema& readersSchema() {
    static const Schema s{"Readers", closedObject(R"(
        "serviceUp":{"type":"boolean","description":"カードリーダーのサービス（pcscd）に接続できている"},
        "problem":{"type":"string"},
        "generation":{"type":"integer","description":"?since= に渡すと次の変化まで待てます"},
        "readers":{"type":"array","items":)" + closedObject(R"(
            "name":{"type":"string"},"cardPresent":{"type":"boolean"},"inUse":{"type":"boolean"},
            "mute":{"type":"boolean"},"atr":{"type":"string"})", R"("name","cardPresent","inUse","mute")") + "}",
        R"("serviceUp","generation","readers")"), {}};
    return s;
}

const Schema& openCheckSchema() {
    static const Schema s{"CardCheckRequest", R"({"type":"object","required":["reader","mode"],"properties":{
        "reader":{"type":"string","description":"GET /api/v1/readers の name"},
        "mode":{"type":"string","enum":["pin","visual"],"description":"pin 暗証番号 / visual 目視（顔写真）"},
        "staffId":{"type":"string"},
        "consent":{"type":"object","required":["examinationDate"],"description":"居宅同意取得型の同意も取るとき","properties":{
            "scopes":{"type":"array","items":{"type":"string","enum":["medication","clinical","checkup"]}},
            "medicalTreatmentFlag":{"type":"integer","enum":[2,3],"description":"2 訪問診療 / 3 オンライン診療（既定 2）"},
            "examinationDate":{"type":"string","description":"診療日 YYYYMMDD"}}},
        "insured":)" + refTo(inquiryRequestSchema()) + R"(}})", {&inquiryRequestSchema()}};
    return s;
}

const Schema& pinSchema() {
    static const Schema s{"PinSubmission", R"({"type":"object","additionalProperties":false,"required":["pin"],"properties":{
        "pin":{"type":"string","description":"数字4桁。記録されず、使ったら消します"},
        "confirmLastTry":{"type":"boolean","description":"残り1回のとき true（confirmationRequired）"}}})", {}};
    return s;
}

const Schema& visualCheckSchema() {
    static const Schema s{"VisualCheck", R"({"type":"object","required":["confirmed"],"properties":{
        "staffId":{"type":"string"},
        "confirmed":{"type":"boolean","enum":[true],"description":"顔写真と本人が一致したことを確認した"}}})", {}};
    return s;
}

const Schema& modesSchema() {
    static const Schema s{"CardCheckModes", closedObject(R"(
        "pin":{"type":"boolean","description":"暗証番号による本人確認ができる"},
        "consent":{"type":"boolean","description":"同じ手順で同意を登録できる"},
        "visualNeedsInsured":{"type":"boolean","description":"目視確認のとき保険者番号などの入力が要る（資格確認端末経由）"},
        "note":{"type":"string","description":"できない理由（日本語）"})", R"("pin","consent","visualNeedsInsured")"), {}};
    return s;
}

const char* const kWaitSchema = R"({"type":"integer","minimum":0,"maximum":30000})";

const std::initializer_list<ErrorId> kStepProblems = {
    ErrorId::NotFound,   ErrorId::CardCheckState, ErrorId::CardAbsent,       ErrorId::CardRemoved,
    ErrorId::ReaderBusy, ErrorId::CardTimeout,    ErrorId::CardFailed,       ErrorId::CardServiceDown,
    ErrorId::IdentityRejected, ErrorId::UpstreamUnavailable, ErrorId::UpstreamRejected};

void writeCheck(JsonWriter& w, const CardCheckView& v) {
    w.field("id", v.id)
        .field("reader", v.reader)
        .field("mode", v.mode == services::CardCheckMode::Pin ? "pin" : "visual")
        .field("staffId", v.staffId)
        .field("state", services::cardCheckStateName(v.state))
        .field("confirmationRequired", v.confirmationRequired)
        .field("version", int64_t(v.version))
        .field("createdAt", model::japanIso8601(model::fromUnixSeconds(v.createdAt)))
        .field("updatedAt", model::japanIso8601(model::fromUnixSeconds(v.updatedAt)))
        .fieldIfSet("message", v.message);
    if (v.triesLeft >= 0) w.field("triesLeft", int64_t(v.triesLeft));
    if (v.hasError) {
        const auto& info = model::errorInfo(v.error);
        w.object("error").field("type", info.name).field("code", info.code).field("title", info.title).endObject();
    }
    if (v.answer) {
        w.fieldIfSet("consentId", v.consentId).fieldIfSet("verifiedAt", v.verifiedAt).object("answer");
        writeResultFields(w, v.answer->result);
        w.field("source", v.answer->source)
            .field("stale", v.answer->stale)
            .field("confirmedAt", model::japanIso8601(model::fromUnixSeconds(v.answer->confirmedAt)))
            .endObject();
    }
}

HttpReply checkReply(int status, const CardCheckView& v) {
    JsonWriter w;
    w.beginObject();
    writeCheck(w, v);
    w.endObject();
    return {status, "application/json", w.take(), {}};
}

// A step that failed: problem details for the failure, with the check as it now stands (tries left).
HttpReply stepReply(const CardCheckView& v) {
    if (!v.hasError) return checkReply(200, v);
    const auto& info = model::errorInfo(v.error);
    JsonWriter w;
    w.beginObject()
        .field("type", std::string("urn:kakehashi:problem:") + info.name)
        .field("title", info.title)
        .field("status", int64_t(info.httpStatus))
        .field("code", info.code)
        .fieldIfSet("detail", v.message)
        .object("check");
    writeCheck(w, v);
    w.endObject().endObject();
    return {info.httpStatus, "application/problem+json", w.take(), {}};
}


HttpReply openCheck(services::CardCheckService& s, HttpCall& call) {
    auto o = jsonObject(call.body);
    services::CardCheckRequest r;
    r.reader = stringMember(o, "reader");
    std::string mode = stringMember(o, "mode");
    if (mode != "pin" && mode != "visual") throw KakehashiError(ErrorId::InvalidField, "mode: pin or visual");
    r.mode = mode == "pin" ? services::CardCheckMode::Pin : services::CardCheckMode::Visual;
    r.staffId = staffIdOf(call, o);
    r.requestedBy = actorOf(call);
    r.consent = decodeConsent(o);
    if (auto insured = o->getObject("insured")) r.insured = decodeInquiryObject(*insured);
    else if (o->has("insured") && !o->isNull("insured")) throw KakehashiError(ErrorId::InvalidField, "insured must be an object");
    auto view = s.open(r);
    HttpReply reply = checkReply(201, view);
    reply.headers.push_back({"Location", "/api/v1/card-checks/" + view.id});
    return reply;
}

HttpReply modesReply(const services::CardCheckModes& m) {
    JsonWriter w;
    w.beginObject()
        .field("pin", m.pin)
        .field("consent", m.consent)
        .field("visualNeedsInsured", m.visualNeedsInsured)
        .fieldIfSet("note", m.note)
        .endObject();
    return {200, "application/json", w.take(), {}};
}

HttpReply submitPin(services::CardCheckService& s, HttpCall& call) {
    auto pin = std::make_shared<cardreader::SecurePin>();
    bool confirmLastTry = false;
    std::string error;
    if (!readPinRequest(call.body, *pin, confirmLastTry, error)) return problemReply(ErrorId::MalformedJson, error);
    return stepReply(s.submitPin(call.params["id"], std::move(pin), confirmLastTry, actorOf(call)));
}

HttpReply confirmVisual(services::CardCheckService& s, HttpCall& call) {
    auto o = jsonObject(call.body);
    if (!o->optValue<bool>("confirmed", false))
        throw KakehashiError(ErrorId::InvalidField, "confirmed: 顔写真と本人が一致したことを確認してください (true)");
    return stepReply(s.confirmVisualCheck(call.params["id"], staffIdOf(call, o), actorOf(call)));
}

}  // namespace

HttpReply readersReply(const cardreader::ReaderSnapshot& s) {
    JsonWriter w;
    w.beginObject().field("serviceUp", s.serviceUp).fieldIfSet("problem", s.problem).field("generation", int64_t(s.generation));
    w.beginArray("readers");
    for (const auto& r : s.readers)
        w.beginObject()
            .field("name", r.name)
            .field("cardPresent", r.cardPresent)
            .field("inUse", r.inUse)
            .field("mute", r.mute)
            .fieldIfSet("atr", r.atr)
            .endObject();
    w.endArray().endObject();
    return {200, "application/json", w.take(), {}};
}

std::vector<Route> cardCheckRoutes(services::CardCheckService& s) {
    return {
        Route{"GET", "/api/v1/readers", "Card readers and their cards (?since=generation&wait=ms to wait for a change)",
         Access::Staff, nullptr, false, http::kSmallBody, [&s](HttpCall& call) {
             auto since = uint64_t(queryNumber(call, "since"));
             auto deadline = std::chrono::steady_clock::now() + waitOf(call);
             return http::LongPoll{&s.readerChanges(), deadline, [&s, since](bool final) -> std::optional<HttpReply> {
                                       auto snapshot = s.readers();
                                       if (snapshot.generation <= since && !final) return std::nullopt;
                                       return readersReply(snapshot);
                                   }};
         }}
            .with(ApiContract("listReaders", "card-checks")
                      .query("since", "この generation より新しくなるまで待ちます", R"({"type":"integer","minimum":0})")
                      .query("wait", "待つ上限（ミリ秒、最大30000）", kWaitSchema)
                      .gives(200, "カードリーダーとカード (readers and their cards)", readersSchema())
                      .refuses({ErrorId::InvalidField})),
        Route{"GET", "/api/v1/card-checks/modes",
              "What card checks can do here: PIN check, consent; through a 資格確認端末 a visual check needs the insured identifiers",
              Access::Staff, [&s](HttpCall&) { return modesReply(s.modes()); }}
            .with(ApiContract("cardCheckModes", "card-checks")
                      .gives(200, "この構成でできる本人確認 (what card checks can do here)", modesSchema())),
        Route{"POST", "/api/v1/card-checks",
              "Open a card check on a reader: {reader, mode: pin|visual, staffId, consent?, insured? (profile terminal)}",
              Access::Staff, [&s](HttpCall& call) { return openCheck(s, call); }}
            .with(ApiContract("openCardCheck", "card-checks")
                      .takes(openCheckSchema())
                      .gives(201, "本人確認を始めました (opened)", cardCheckSchema(), {"application/json"},
                             {locationHeader("GET /api/v1/card-checks/{id}")})
                      .refuses({ErrorId::MalformedJson, ErrorId::InvalidField, ErrorId::ReaderUnavailable,
                                ErrorId::ReaderBusy, ErrorId::CardServiceDown, ErrorId::IdentityUnsupported})),
        Route{"GET", "/api/v1/card-checks/{id}", "A card check (?since=version&wait=ms to wait for its next step)",
         Access::Staff, nullptr, false, http::kSmallBody, [&s](HttpCall& call) {
             auto since = uint64_t(queryNumber(call, "since"));
             auto deadline = std::chrono::steady_clock::now() + waitOf(call);
             std::string id = call.params["id"], viewer = actorOf(call);
             return http::LongPoll{&s.checkChanges(), deadline, [&s, since, id, viewer](bool final) -> std::optional<HttpReply> {
                                       auto version = s.version(id);
                                       if (version && *version <= since && !final) return std::nullopt;
                                       auto v = s.view(id, viewer, 0);  // viewed (and audited) only when answered
                                       if (!v) return problemReply(ErrorId::NotFound, "no such card check");
                                       return checkReply(200, *v);
                                   }};
         }}
            .with(ApiContract("getCardCheck", "card-checks")
                      .query("since", "この version より新しくなるまで待ちます", R"({"type":"integer","minimum":0})")
                      .query("wait", "待つ上限（ミリ秒、最大30000）", kWaitSchema)
                      .gives(200, "本人確認の今の状態 (the check as it stands)", cardCheckSchema())
                      .refuses({ErrorId::NotFound, ErrorId::InvalidField})),
        Route{"POST", "/api/v1/card-checks/{id}/pin", "The patient's 4-digit PIN, used once: {pin, confirmLastTry}",
         Access::Staff, [&s](HttpCall& call) { return submitPin(s, call); }, /*secretBody=*/true}
            .with(ApiContract("submitPin", "card-checks")
                      .takes(pinSchema())
                      .gives(200, "受け付けました (the check as it now stands)", cardCheckSchema())
                      .refuses({ErrorId::MalformedJson, ErrorId::PinFormat, ErrorId::PinWrong, ErrorId::PinBlocked,
                                ErrorId::PinConfirmRequired, ErrorId::NotMyNumberCard, ErrorId::IdentityUnsupported,
                                ErrorId::Forbidden},
                               &cardCheckProblemSchema())
                      .refuses(kStepProblems)),
        Route{"POST", "/api/v1/card-checks/{id}/visual-check", "The staff member confirms the face photo: {staffId, confirmed: true}",
         Access::Staff, [&s](HttpCall& call) { return confirmVisual(s, call); }}
            .with(ApiContract("confirmVisualCheck", "card-checks")
                      .takes(visualCheckSchema())
                      .gives(200, "受け付けました (the check as it now stands)", cardCheckSchema())
                      .refuses({ErrorId::MalformedJson, ErrorId::InvalidField, ErrorId::NotMyNumberCard}, &cardCheckProblemSchema())
                      .refuses(kStepProblems)),
        Route{"DELETE", "/api/v1/card-checks/{id}", "Cancel a card check", Access::Staff,
         [&s](HttpCall& call) { return checkReply(200, s.cancel(call.params["id"], actorOf(call))); }}
            .with(ApiContract("cancelCardCheck", "card-checks")
                      .gives(200, "取り消しました (cancelled)", cardCheckSchema())
                      .refuses({ErrorId::NotFound, ErrorId::CardCheckState})),
    };
}

}  // namespace kh::endpoint
