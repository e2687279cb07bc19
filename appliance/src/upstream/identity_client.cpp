#include "upstream/identity_client.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cctype>
#include <sstream>

#include "crypto/encoding.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"

namespace kh::upstream {
namespace {
using model::ErrorId;
using model::KakehashiError;


// "" unless `hex` is an even number of hex digits.
std::string fromHex(const std::string& hex) {
    auto digit = [](char c) { return std::isdigit((unsigned char)c) ? c - '0' : std::isxdigit((unsigned char)c) ? (c | 0x20) - 'a' + 10 : -1; };
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        int hi = digit(hex[i]), lo = digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return "";
        out += char(hi << 4 | lo);
    }
    return hex.size() % 2 ? "" : out;
}

Poco::JSON::Object::Ptr parseObject(const std::string& body) {
    try {
        return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        throw KakehashiError(ErrorId::UpstreamRejected, "the central system's answer is not a JSON object");
    }
}

std::string text(const Poco::JSON::Object::Ptr& o, const char* key) {
    return o && o->has(key) && !o->isNull(key) ? o->getValue<std::string>(key) : std::string();
}

// 403 from the identity endpoints names why the check was refused (code and Japanese message).
[[noreturn]] void refused(const CentralResponse& res) {
    std::string code, message;
    try {
        auto o = Poco::JSON::Parser().parse(res.body).extract<Poco::JSON::Object::Ptr>();
        code = text(o, "code");
        message = text(o, "error");
    } catch (const std::exception&) {
    }
    std::string detail = code.empty() ? "HTTP " + std::to_string(res.status) : code + " " + message;
    if (res.status == 403) throw KakehashiError(ErrorId::IdentityRejected, detail);
    throw KakehashiError(ErrorId::UpstreamRejected, detail);
}

std::string serialise(const Poco::JSON::Object& o) {
    std::ostringstream out;
    o.stringify(out);
    return out.str();
}

}  // namespace

CentralResponse IdentityClient::postOnceMore(const char* path, const std::string& body) {
    std::string requestId = crypto::uuid4();
    try {
        return transport_.postJson(path, body, requestId);
    } catch (const TransportError&) {
    }
    try {
        return transport_.postJson(path, body, requestId);  // same id: answered once, acted on once
    } catch (const TransportError& e) {
        throw KakehashiError(ErrorId::UpstreamUnavailable, e.what());
    }
}

IdentityChallenge IdentityClient::challenge() {
    Poco::JSON::Object body;
    body.set("medicalInstitutionCode", institutionCode_);
    CentralResponse res = postOnceMore(profile_v1::identityChallengePath(), serialise(body));
    if (res.status != 200) refused(res);
    auto o = parseObject(res.body);
    IdentityChallenge c{fromHex(text(o, "nonce")), text(o, "expiresAt")};
    if (c.nonce.size() != 32) throw KakehashiError(ErrorId::UpstreamRejected, "the challenge carries no 32-byte nonce");
    return c;
}

IdentityVerdict IdentityClient::verify(const IdentityProof& proof) {
    Poco::JSON::Object body;
    body.set("medicalInstitutionCode", institutionCode_);
    body.set("nonce", crypto::hex(proof.nonce));
    body.set("method", proof.method);
    body.set("certificate", crypto::base64Encode(proof.certificate));
    if (!proof.signature.empty()) body.set("signature", crypto::base64Encode(proof.signature));
    if (!proof.staffId.empty()) body.set("staffId", proof.staffId);
    if (proof.consent) {
        Poco::JSON::Object consent;
        Poco::JSON::Array scopes;
        for (const auto& s : proof.consent->scopes) scopes.add(s);
        consent.set("scopes", scopes);
        consent.set("medicalTreatmentFlag", proof.consent->medicalTreatmentFlag);
        consent.set("examinationDate", proof.consent->examinationDate);
        body.set("consent", consent);
    }
    CentralResponse res = postOnceMore(profile_v1::identityVerifyPath(), serialise(body));
    if (res.status != 200) refused(res);
    auto o = parseObject(res.body);
    IdentityVerdict v;
    auto ids = o->getObject("identifiers");
    if (!ids) throw KakehashiError(ErrorId::UpstreamRejected, "the verdict names no insured person");
    v.insured = {text(ids, "insurerNumber"), text(ids, "cardSymbol"), text(ids, "cardNumber"),
                 text(ids, "branchNumber"), text(ids, "birthDate")};
    v.qualificationXml = text(o, "qualification");
    v.verifiedAt = text(o, "verifiedAt");
    v.certificateSerial = text(o, "certificateSerial");
    if (auto consent = o->getObject("consent")) v.consentId = text(consent, "consentId");
    return v;
}

}  // namespace kh::upstream
