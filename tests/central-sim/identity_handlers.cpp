#include "identity_handlers.hpp"

#include <cctype>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "codes.hpp"
#include "consent_json.hpp"
#include "event_log.hpp"
#include "http_io.hpp"
#include "japan_time.hpp"
#include "jpki.hpp"
#include "json_io.hpp"
#include "qualification.hpp"

namespace ksim {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kNonceHexDigits = 64;
constexpr std::size_t kStaffIdMax = 64;  // characters (code points)

// The optional "medicalInstitutionCode" must name the certificate's institution (as every JSON POST).
bool speaksForOwnInstitution(const Object::Ptr& in, const ApiCall& call, StoredAnswer& refusal) {
    std::string named, error;
    if (!stringField(in, "medicalInstitutionCode", named, error))
        refusal = jsonError(400, "medicalInstitutionCode は文字列で指定してください", "SIM-4004");
    else if (!named.empty() && trimmed(named) != call.institution)
        refusal = jsonError(403, "medicalInstitutionCode がクライアント証明書の医療機関等コードと異なります", "SIM-4031");
    else
        return true;
    return false;
}

const char* const kNotJsonObject = "本文がJSONオブジェクトではありません";

}  // namespace

// --- POST /v1/identity/challenge ---

StoredAnswer handleIdentityChallenge(const ApiCall& call, SimState& state) {
    Object::Ptr in;
    std::string error;
    StoredAnswer refusal;
    if (!parseJsonObject(call.body, in, error)) return jsonError(400, kNotJsonObject, "SIM-4002");
    if (!speaksForOwnInstitution(in, call, refusal)) return refusal;
    Challenge c = state.challenges.issue(call.institution, state.options.challengeTtlSeconds);
    logEvent("sim.identity.challenge", {{"id", call.requestId}, {"institution", c.institution},
                                        {"nonce", c.nonce.substr(0, 8)}, {"expiresAt", c.expiresAt}});
    Object::Ptr o = new Object;
    o->set("nonce", c.nonce);
    o->set("issuedAt", c.issuedAt);
    o->set("expiresAt", c.expiresAt);
    o->set("expiresInSeconds", state.options.challengeTtlSeconds);
    return jsonAnswer(200, o);
}

// --- POST /v1/identity/verify ---

namespace {

enum class Method { Jpki, Visual };

const char* methodName(Method m) { return m == Method::Jpki ? "jpki" : "visual"; }

struct VerifyRequest {
    std::string nonce;  // lower-case hex
    Method method = Method::Jpki;
    std::string certificate, signature;  // decoded bytes; signature only for jpki
    std::string staffId;                 // empty when not given
    bool consentAsked = false;
    Consent consent;  // scopes, treatmentFlag, examinationDate when asked
};

std::size_t codePoints(const std::string& utf8) {
    std::size_t n = 0;
    for (char c : utf8)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

bool readNonce(const Object::Ptr& in, std::string& nonce) {
    std::string error;
    if (!stringField(in, "nonce", nonce, error) || nonce.size() != kNonceHexDigits) return false;
    for (char& c : nonce) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return true;
}

bool readBase64(const Object::Ptr& in, const std::string& key, std::string& bytes) {
    std::string text, error;
    return stringField(in, key, text, error) && decodeBase64(text, bytes);
}

const char* consentProblemText(ConsentChoiceProblem problem) {
    switch (problem) {
        case ConsentChoiceProblem::None: break;
        case ConsentChoiceProblem::Scopes:
            return "consent.scopes は \"medication\"・\"clinical\"・\"checkup\" の配列で指定してください";
        case ConsentChoiceProblem::TreatmentFlag:
            return "consent.medicalTreatmentFlag は 2（訪問診療等）または 3（オンライン診療等）で指定してください";
        case ConsentChoiceProblem::ExaminationDate:
            return "consent.examinationDate は実在する日付（YYYYMMDD）で指定してください";
        case ConsentChoiceProblem::ExaminationDateBeforeToday:
            return "consent.examinationDate が今日（日本時間）より前です";
    }
    return "";
}

// The optional consent block; false with a message naming the field.
bool readConsent(const Object::Ptr& in, VerifyRequest& r, std::string& error) {
    if (!in->has("consent") || in->isNull("consent")) return true;
    Object::Ptr block = in->getObject("consent");
    if (!block) {
        error = "consent はオブジェクトで指定してください";
        return false;
    }
    ConsentChoiceProblem problem = readConsentChoice(block, r.consent);
    if (problem != ConsentChoiceProblem::None) {
        error = consentProblemText(problem);
        return false;
    }
    r.consentAsked = true;
    return true;
}

// Every field of the body, checked before the nonce is looked at; false with a message naming the field.
bool readVerifyRequest(const Object::Ptr& in, VerifyRequest& r, std::string& error) {
    std::string method, ignored;
    if (!readNonce(in, r.nonce)) {
        error = "nonce は64桁の16進数で指定してください";
    } else if (!stringField(in, "method", method, ignored) || (method != "jpki" && method != "visual")) {
        error = "method は \"jpki\" または \"visual\" で指定してください";
    } else if (!readBase64(in, "certificate", r.certificate)) {
        error = "certificate は利用者証明用電子証明書（DER）をBase64で指定してください";
    } else if (method == "jpki" && !readBase64(in, "signature", r.signature)) {
        error = "signature はnonceに対する署名をBase64で指定してください（method が jpki のとき必須）";
    } else if (!stringField(in, "staffId", r.staffId, ignored) || codePoints(r.staffId) > kStaffIdMax ||
               (method == "visual" && trimmed(r.staffId).empty())) {
        error = "staffId は1～64文字で指定してください（method が visual のとき必須）";
    } else {
        r.method = method == "jpki" ? Method::Jpki : Method::Visual;
        if (trimmed(r.staffId).empty()) r.staffId.clear();
        return readConsent(in, r, error);
    }
    return false;
}

std::string bytesOfHex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

// What POST /v1/qualifications/inquiry answers for a search with the person's identifiers, today's
// date and no ArbitraryFileIdentifier.
std::string qualificationOf(const Person& p, const std::string& institution, SimState& state) {
    SearchInfo search;
    search.insurerNumber = trimmed(state.population.insurerOf(p).number);
    search.cardSymbol = p.cardSymbol;
    search.cardNumber = p.cardNumber;
    search.branchNumber = p.branchNumber;
    search.birthDate = p.birthDate;
    return inquiryDocument({jstDateNow(), institution, ""}, search, state);
}

// Registers the consent the verify asked for, as the マイナ在宅受付Web does after the PIN.
Consent registerConsent(Consent c, const std::string& institution, const Person& holder, const std::string& now,
                        SimState& state) {
    c.institution = institution;
    c.person = state.population.indexOf(holder);
    c.consentTime = now;
    c.availableTime = c.examinationDate + "235959";
    c = state.consents.add(c);
    logEvent("sim.consent", {{"id", c.id}, {"institution", institution}, {"scopes", scopeList(c)},
                             {"flag", c.treatmentFlag}, {"via", "identity"}});
    return c;
}

// The answer of a verify that passed every check; registers the consent when asked.
Object::Ptr verifiedAnswer(const VerifyRequest& r, const CertificateSerial& serial, const Person& holder,
                           const std::string& institution, SimState& state) {
    std::string now = jstTimestampNow();
    Object::Ptr o = new Object;
    o->set("verified", true);
    o->set("method", std::string(methodName(r.method)));
    o->set("verifiedAt", now);
    o->set("staffId", r.staffId.empty() ? Var() : Var(r.staffId));
    o->set("certificateSerial", serial.hex);
    Object::Ptr identifiers = new Object;
    setIdentifiers(identifiers, holder, state.population);
    o->set("identifiers", identifiers);
    o->set("qualification", qualificationOf(holder, institution, state));
    if (r.consentAsked) {
        Consent c = registerConsent(r.consent, institution, holder, now, state);
        o->set("consent", consentJson(c, state.population, jstTimestampNow()));
    } else {
        o->set("consent", Var());
    }
    return o;
}

// The checks in the order of README §3.10; every path sets record.outcome.
StoredAnswer verify(const ApiCall& call, SimState& state, Verification& record) {
    auto refuse = [&record](int status, const char* code, const std::string& message) {
        record.outcome = code;
        return jsonError(status, message, code);
    };
    Object::Ptr in;
    std::string error;
    StoredAnswer refusal;
    VerifyRequest r;
    if (!parseJsonObject(call.body, in, error)) return refuse(400, "SIM-4002", kNotJsonObject);
    if (!speaksForOwnInstitution(in, call, refusal)) {
        record.outcome = refusal.status == 403 ? "SIM-4031" : "SIM-4004";
        return refusal;
    }
    if (!readVerifyRequest(in, r, error)) return refuse(400, "SIM-4004", error);
    record.method = methodName(r.method);
    record.staffId = r.staffId;
    record.noncePrefix = r.nonce.substr(0, 8);

    switch (state.challenges.consume(r.nonce, call.institution)) {
        case NonceCheck::Accepted: break;
        case NonceCheck::Unknown:
            return refuse(403, "SIM-IDV-001", "nonce が見つかりません（この医療機関等に発行されたチャレンジではありません）");
        case NonceCheck::Expired:
            return refuse(403, "SIM-IDV-002", "nonce の有効期限が切れています（チャレンジを取得し直してください）");
        case NonceCheck::Used:
            return refuse(403, "SIM-IDV-003", "nonce は使用済みです（チャレンジは1回だけ使えます）");
    }
    X509Ptr certificate = parseDerCertificate(r.certificate);
    if (!certificate) return refuse(400, "SIM-4004", "certificate がDER形式のX.509証明書ではありません");
    CertificateSerial serial = serialOf(certificate.get());
    record.serial = serial.hex;
    if (!state.jpki.configured())
        return refuse(403, "SIM-IDV-005", "利用者証明用電子証明書を検証できません（JPKIのCA証明書が設定されていません）");
    if (!state.jpki.trusts(certificate.get()))
        return refuse(403, "SIM-IDV-005", "利用者証明用電子証明書を検証できません（発行者が異なるか、有効期間外です）");
    if (r.method == Method::Jpki && !verifySha256Signature(certificate.get(), bytesOfHex(r.nonce), r.signature))
        return refuse(403, "SIM-IDV-004", "署名を検証できません（nonce に対する署名が証明書の公開鍵で検証できません）");
    const Person* holder = holderOf(state.population, serial.low64);
    if (!holder) return refuse(404, "SIM-IDV-006", "証明書に対応する被保険者が見つかりません");
    record.outcome = "verified";
    return jsonAnswer(200, verifiedAnswer(r, serial, *holder, call.institution, state));
}

Var textOrNull(const std::string& s) { return s.empty() ? Var() : Var(s); }

}  // namespace

const Person* holderOf(const Population& population, std::uint64_t serialLow64) {
    std::uint64_t valid = 0;
    for (const Person& p : population.persons())
        if (p.validity == '1') ++valid;
    if (valid == 0) return nullptr;
    std::uint64_t wanted = serialLow64 % valid, seen = 0;
    for (const Person& p : population.persons())
        if (p.validity == '1' && seen++ == wanted) return &p;
    return nullptr;
}

StoredAnswer handleIdentityVerify(const ApiCall& call, SimState& state) {
    Verification record;
    record.requestId = call.requestId;
    record.institution = call.institution;
    StoredAnswer answer = verify(call, state, record);
    logEvent("sim.identity.verify", {{"id", record.requestId}, {"institution", record.institution},
                                     {"method", record.method}, {"serial", record.serial},
                                     {"staffId", record.staffId}, {"nonce", record.noncePrefix},
                                     {"outcome", record.outcome}});
    state.challenges.record(std::move(record));
    return answer;
}

// --- control: /sim/identity/... ---

StoredAnswer identityHolder(const ControlCall& call, SimState& state) {
    CertificateSerial serial;
    if (!serialFromHex(queryParameter(call.request, "serial", ""), serial))
        return jsonError(400, "serial must be the certificate serial in hex (1-40 digits), e.g. 1001");
    const Person* holder = holderOf(state.population, serial.low64);
    if (!holder) return jsonError(404, "the population has no registered, valid person");
    return jsonAnswer(200, personJson(*holder, state.population));
}

StoredAnswer identityReplayNext(const ControlCall& call, SimState& state) {
    std::string institution = queryParameter(call.request, "institution", "");
    if (institution.empty()) return jsonError(400, "institution=CODE is required");
    state.challenges.replayNext(institution);
    Object::Ptr o = new Object;
    o->set("replayNext", institution);
    return jsonAnswer(200, o);
}

StoredAnswer identityVerifications(const ControlCall&, SimState& state) {
    Array::Ptr list = new Array;
    for (const Verification& v : state.challenges.verifications()) {
        Object::Ptr o = new Object;
        o->set("requestId", v.requestId);
        o->set("method", textOrNull(v.method));
        o->set("serial", textOrNull(v.serial));
        o->set("staffId", textOrNull(v.staffId));
        o->set("outcome", v.outcome);
        o->set("nonce", textOrNull(v.noncePrefix));
        list->add(o);
    }
    Object::Ptr o = new Object;
    o->set("verifications", list);
    return jsonAnswer(200, o);
}

}  // namespace ksim
