#include "upstream/central_v1_client.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cctype>
#include <functional>
#include <sstream>

#include "crypto/encoding.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"
#include "spec/home_consent_messages.hpp"
#include "spec/medical_aid_messages.hpp"
#include "spec/medical_info_messages.hpp"
#include "spec/reference_number_messages.hpp"

namespace kh::upstream {
namespace {

const char* kInquiry = "/v1/qualifications/inquiry";
const char* kBatches = "/v1/qualifications/batches";
const char* kReferenceNumbers = "/v1/reference-numbers";
const char* kConsentLists = "/v1/home-consent/qualifications";
const char* kMedicalAid = "/v1/medical-aid/batches";
const char* kHomeReceptionUrl = "/v1/home-consent/url";
const char* kWithdrawals = "/v1/consents/withdrawals";
const char* kChallenge = "/v1/identity/challenge";
const char* kVerify = "/v1/identity/verify";

std::string xml(const spec::XmlElement& doc) { return spec::writeXml(doc, spec::Encoding::Utf8); }

// A status worth another try: the central system is busy or not itself.
bool retryable(int status) { return status >= 500 || status == 429 || status == 408; }

// The code and message a refusing document names (a result header's ErrorCode, a processing code).
Failure refusalIn(const spec::XmlElement& root, int status) {
    const spec::XmlElement* header = root.child("MessageHeader");
    const spec::XmlElement* body = root.child("MessageBody");
    Failure f{Failure::Kind::Refused, "", "", status, 0, ""};
    if (header) {
        f.code = header->childText("ErrorCode");
        f.message = header->childText("ErrorMessage");
    }
    if (f.code.empty() && body) {
        f.code = body->childText("ProcessingResultCode");
        f.message = body->childText("ProcessingResultMessage");
    }
    if (f.message.empty() && status) f.message = "HTTP " + std::to_string(status);
    return f;
}

// One exchange with a document for an answer: retryable statuses and unreadable answers are "unreachable"
// (a damaged answer is a failed attempt, not an answer), other 4xx/5xx refusals, and a 2xx body is decoded.
template <typename T>
Outcome<T> document(const std::function<CentralResponse()>& send, const std::function<Outcome<T>(const spec::XmlElement&, const CentralResponse&)>& decode) {
    CentralResponse res;
    try {
        res = send();
    } catch (const TransportError& e) {
        return Outcome<T>::unreachable(e.what());
    }
    if (retryable(res.status)) return Outcome<T>::unreachable("HTTP " + std::to_string(res.status), res.retryAfterSeconds);
    spec::ParsedXml doc;
    try {
        doc = spec::parseXml(res.body);
    } catch (const std::exception&) {
        if (res.status >= 200 && res.status < 300) return Outcome<T>::unreachable("unreadable answer (HTTP " + std::to_string(res.status) + ")");
        return Outcome<T>::refused("", "HTTP " + std::to_string(res.status), res.status);
    }
    if (res.status >= 300 && res.status != 403) return Outcome<T>::failed(refusalIn(doc.root, res.status));
    try {
        return decode(doc.root, res);
    } catch (const model::KakehashiError& e) {
        return Outcome<T>::unreachable(std::string("unreadable answer: ") + e.what());
    }
}

// A result header whose SegmentOfResult is not 1 (正常終了) nor 2 (処理中) refuses the whole message.
bool refusedWhole(const spec::ResultHeader& h) { return !h.segmentOfResult.empty() && h.segmentOfResult != "1" && h.segmentOfResult != "2"; }

Outcome<BatchReceipt> receipt(const spec::XmlElement& root, const CentralResponse& res) {
    auto accepted = spec::decodeBatchAcceptedResponse(root);
    if (refusedWhole(accepted.header) || res.status >= 300) return Outcome<BatchReceipt>::failed(refusalIn(root, res.status));
    if (accepted.receptionNumber.empty()) return Outcome<BatchReceipt>::refused("", "受付番号がありません", res.status);
    return Outcome<BatchReceipt>::of({accepted.receptionNumber, accepted.receptionDateTime});
}

// --- JSON endpoints ---------------------------------------------------------------------------------------

Poco::JSON::Object::Ptr jsonObject(const std::string& body) {
    try {
        return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        return nullptr;
    }
}

std::string text(const Poco::JSON::Object::Ptr& o, const char* key) {
    return o && o->has(key) && !o->isNull(key) ? o->getValue<std::string>(key) : std::string();
}

std::string serialise(const Poco::JSON::Object& o) {
    std::ostringstream out;
    o.stringify(out);
    return out.str();
}

// "" unless `hex` is an even number of hex digits.
std::string fromHex(const std::string& hex) {
    auto digit = [](char c) {
        return std::isdigit((unsigned char)c) ? c - '0' : std::isxdigit((unsigned char)c) ? (c | 0x20) - 'a' + 10 : -1;
    };
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        int hi = digit(hex[i]), lo = digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return "";
        out += char(hi << 4 | lo);
    }
    return hex.size() % 2 ? "" : out;
}

// A JSON exchange: 200 is decoded; a refusal names its code and Japanese message in {"code","error"}.
template <typename T>
Outcome<T> json(const std::function<CentralResponse()>& send, const std::function<Outcome<T>(const Poco::JSON::Object::Ptr&)>& decode) {
    CentralResponse res;
    try {
        res = send();
    } catch (const TransportError& e) {
        return Outcome<T>::unreachable(e.what());
    }
    if (retryable(res.status)) return Outcome<T>::unreachable("HTTP " + std::to_string(res.status), res.retryAfterSeconds);
    auto o = jsonObject(res.body);
    if (res.status != 200) {
        std::string code = text(o, "code"), message = text(o, "error");
        return Outcome<T>::refused(code, message.empty() ? "HTTP " + std::to_string(res.status) : message, res.status);
    }
    if (!o) return Outcome<T>::unreachable("the central system's answer is not a JSON object");
    return decode(o);
}

std::string batchPath(const std::string& reception) { return std::string(kBatches) + "/" + reception; }

// The request is about to be written: the next queued call may start behind it.
void handOver(SendTurn* turn) {
    if (turn) turn->handedOver();
}
}  // namespace

Outcome<model::EligibilityResult> CentralV1Client::inquire(const std::string& requestId, const model::EligibilityInquiry& q,
                                                           const std::string& fileIdentifier, SendTurn* turn) {
    spec::SingleInquiryRequest req{{model::JapanDate::today().str(), institutionCode_, fileIdentifier}, q};
    const std::string body = xml(spec::encode(req));
    return document<model::EligibilityResult>(
        [&] {
            handOver(turn);
            return transport_.post(kInquiry, body, requestId);
        },
        [](const spec::XmlElement& root, const CentralResponse& res) {
            auto answer = spec::decodeSingleInquiryResponse(root);
            if (refusedWhole(answer.header) || !answer.result || res.status >= 300)
                return Outcome<model::EligibilityResult>::failed(refusalIn(root, res.status));
            return Outcome<model::EligibilityResult>::of(std::move(*answer.result));
        });
}

Outcome<BatchReceipt> CentralV1Client::uploadBatch(const std::string& requestId, const std::vector<model::EligibilityInquiry>& entries,
                                                   const std::string& fileIdentifier, SendTurn* turn) {
    spec::BatchUploadRequest req{{model::JapanDate::today().str(), institutionCode_, fileIdentifier}, entries};
    const std::string body = xml(spec::encode(req));
    return document<BatchReceipt>(
        [&] {
            handOver(turn);
            return transport_.post(kBatches, body, requestId);
        },
        receipt);
}

// A poll has no effect upstream, so each one carries a fresh request id.
Outcome<BatchDownload> CentralV1Client::downloadBatch(const std::string& receptionNumber, BatchKind) {
    CentralResponse res;
    try {
        res = transport_.get(batchPath(receptionNumber), crypto::uuid4());
    } catch (const TransportError& e) {
        return Outcome<BatchDownload>::unreachable(e.what());
    }
    if (res.status == 202) return Outcome<BatchDownload>::of({true, res.retryAfterSeconds, {}});
    return document<BatchDownload>([&] { return res; }, [](const spec::XmlElement& root, const CentralResponse& r) {
        auto result = spec::decodeBatchResultResponse(root);
        if (refusedWhole(result.header) || r.status >= 300) return Outcome<BatchDownload>::failed(refusalIn(root, r.status));
        if (result.header.segmentOfResult == "2") return Outcome<BatchDownload>::of({true, r.retryAfterSeconds, {}});
        return Outcome<BatchDownload>::of({false, 0, std::move(result.units)});
    });
}

Outcome<std::vector<model::ReferenceNumberResult>> CentralV1Client::registerReferenceNumbers(
    const std::string& requestId, const std::vector<model::ReferenceNumberRegistration>& entries, const std::string& fileIdentifier,
    SendTurn* turn) {
    spec::RequestHeader header{"", institutionCode_, fileIdentifier};
    const std::string body = entries.size() == 1 ? xml(spec::encode(spec::ReferenceNumberRequest{header, entries.front()}))
                                                 : xml(spec::encode(spec::ReferenceNumberBatchRequest{header, entries}));
    using Results = std::vector<model::ReferenceNumberResult>;
    return document<Results>(
        [&] {
            handOver(turn);
            return transport_.post(kReferenceNumbers, body, requestId);
        },
                             [](const spec::XmlElement& root, const CentralResponse& res) {
                                 auto answer = spec::decodeReferenceNumberResponse(root);
                                 if (refusedWhole(answer.header) || res.status >= 300) return Outcome<Results>::failed(refusalIn(root, res.status));
                                 return Outcome<Results>::of(std::move(answer.results));
                             });
}

Outcome<BatchReceipt> CentralV1Client::requestConsentList(const std::string& requestId, const ConsentListQuery& q) {
    spec::ConsentListRequest req;
    req.header = {"", institutionCode_, q.fileIdentifier};
    req.consentDateFrom = q.consentFrom;
    req.consentDateTo = q.consentTo;
    req.examinationDateFrom = q.examinationFrom;
    req.examinationDateTo = q.examinationTo;
    req.medicalTreatmentFlag = model::medicalTreatmentCode(q.treatment);
    const std::string body = xml(spec::encode(req));
    return document<BatchReceipt>([&] { return transport_.post(kConsentLists, body, requestId); }, receipt);
}

Outcome<BatchReceipt> CentralV1Client::requestMedicalAidList(const std::string& requestId, const std::string& month,
                                                             const std::string& fileIdentifier) {
    const std::string body = xml(spec::encode(spec::MedicalAidListRequest{{"", institutionCode_, fileIdentifier}, month}));
    return document<BatchReceipt>([&] { return transport_.post(kMedicalAid, body, requestId); }, receipt);
}

// 200: the information (XML or PDF, kept whole); 403: refused for its consent, with the central system's
// code and its message in the same document shape.
Outcome<model::MedicalInfoResult> CentralV1Client::medicalInfo(const std::string& requestId, const model::MedicalInfoRequest& r) {
    model::MedicalInfoRequest mine = r;
    mine.institutionCode = institutionCode_;
    const std::string body = xml(spec::encode(mine));
    const std::string path = "/v1/medical-info/" + std::string(model::consentScopeName(r.scope));
    CentralResponse res;
    try {
        res = transport_.post(path, body, requestId);
    } catch (const TransportError& e) {
        return Outcome<model::MedicalInfoResult>::unreachable(e.what());
    }
    if (retryable(res.status)) return Outcome<model::MedicalInfoResult>::unreachable("HTTP " + std::to_string(res.status), res.retryAfterSeconds);
    try {
        auto result = spec::decodeMedicalInfoResult(res.body, res.status == 200 ? r.fileCategory : 2);
        if (res.status != 200 || result.processingStatus != "1") {
            auto refused = Outcome<model::MedicalInfoResult>::refused(result.processingCode, result.processingMessage, res.status);
            refused.failure.document = res.body;
            return refused;
        }
        return Outcome<model::MedicalInfoResult>::of(std::move(result));
    } catch (const model::KakehashiError&) {
        if (res.status == 200) return Outcome<model::MedicalInfoResult>::unreachable("unreadable answer");
        return Outcome<model::MedicalInfoResult>::refused("", "HTTP " + std::to_string(res.status), res.status);
    }
}

Outcome<WithdrawalPage> CentralV1Client::withdrawals(const std::string& since) {
    std::string path = std::string(kWithdrawals) + (since.empty() ? "" : "?since=" + since);
    return json<WithdrawalPage>([&] { return transport_.get(path, crypto::uuid4()); }, [](const Poco::JSON::Object::Ptr& doc) {
        WithdrawalPage page;
        auto list = doc->getArray("withdrawals");
        for (size_t i = 0; list && i < list->size(); ++i) {
            auto w = list->getObject(unsigned(i));
            page.withdrawals.push_back({{text(w, "insurerNumber"), text(w, "cardSymbol"), text(w, "cardNumber"),
                                         text(w, "branchNumber"), text(w, "birthDate")},
                                        text(w, "withdrawnAt")});
        }
        page.asOf = text(doc, "asOf");
        return Outcome<WithdrawalPage>::of(std::move(page));
    });
}

Outcome<std::string> CentralV1Client::homeReceptionUrl() {
    return json<std::string>([&] { return transport_.get(kHomeReceptionUrl, crypto::uuid4()); }, [](const Poco::JSON::Object::Ptr& doc) {
        std::string url = text(doc, "url");
        if (url.empty()) return Outcome<std::string>::refused("", "URLがありません");
        return Outcome<std::string>::of(url);
    });
}

Outcome<IdentityChallenge> CentralV1Client::identityChallenge(const std::string& requestId) {
    Poco::JSON::Object body;
    body.set("medicalInstitutionCode", institutionCode_);
    const std::string payload = serialise(body);
    return json<IdentityChallenge>([&] { return transport_.postJson(kChallenge, payload, requestId); }, [](const Poco::JSON::Object::Ptr& o) {
        IdentityChallenge c{fromHex(text(o, "nonce")), text(o, "expiresAt")};
        if (c.nonce.size() != 32) return Outcome<IdentityChallenge>::unreachable("the challenge carries no 32-byte nonce");
        return Outcome<IdentityChallenge>::of(c);
    });
}

Outcome<IdentityVerdict> CentralV1Client::identityVerify(const std::string& requestId, const IdentityProof& proof) {
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
    const std::string payload = serialise(body);
    return json<IdentityVerdict>([&] { return transport_.postJson(kVerify, payload, requestId); }, [](const Poco::JSON::Object::Ptr& o) {
        auto ids = o->getObject("identifiers");
        if (!ids) return Outcome<IdentityVerdict>::unreachable("the verdict names no insured person");
        IdentityVerdict v;
        v.insured = {text(ids, "insurerNumber"), text(ids, "cardSymbol"), text(ids, "cardNumber"), text(ids, "branchNumber"),
                     text(ids, "birthDate")};
        try {
            auto answer = spec::decodeSingleInquiryResponse(spec::parseXml(text(o, "qualification")).root);
            if (!answer.result) return Outcome<IdentityVerdict>::unreachable("the verdict carries no qualification");
            v.qualification = std::move(*answer.result);
        } catch (const model::KakehashiError&) {
            return Outcome<IdentityVerdict>::unreachable("the verdict's qualification is unreadable");
        }
        v.verifiedAt = text(o, "verifiedAt");
        v.certificateSerial = text(o, "certificateSerial");
        if (auto consent = o->getObject("consent")) v.consentId = text(consent, "consentId");
        return Outcome<IdentityVerdict>::of(std::move(v));
    });
}

Outcome<bool> CentralV1Client::probe() {
    try {
        transport_.handshake();
        return Outcome<bool>::of(true);
    } catch (const TransportError& e) {
        return Outcome<bool>::unreachable(e.what());
    }
}

}  // namespace kh::upstream
