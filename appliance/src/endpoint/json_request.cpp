#include "endpoint/json_request.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "model/errors.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;
using model::KakehashiError;
using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr size_t kMaxBody = 16u * 1024 * 1024;

Poco::Dynamic::Var parseJson(const std::string& body) {
    if (body.empty()) throw KakehashiError(ErrorId::EmptyRequest, "empty body");
    if (body.size() > kMaxBody) throw KakehashiError(ErrorId::TooLarge, "body over 16 MiB");
    try {
        Poco::JSON::Parser parser;
        return parser.parse(body);
    } catch (const Poco::Exception&) {
        throw KakehashiError(ErrorId::MalformedJson, "body is not valid JSON");
    } catch (const std::exception&) {
        throw KakehashiError(ErrorId::MalformedJson, "body is not valid JSON");
    }
}

std::string stringField(const Object& o, const char* name, bool required) {
    if (!o.has(name) || o.isNull(name)) {
        if (required) throw KakehashiError(ErrorId::InvalidField, std::string(name) + " is required");
        return {};
    }
    auto v = o.get(name);
    if (!v.isString()) throw KakehashiError(ErrorId::InvalidField, std::string(name) + " must be a string");
    std::string s = v.extract<std::string>();
    if (s.size() > 256) throw KakehashiError(ErrorId::InvalidField, std::string(name) + " is too long");
    return s;
}

model::EligibilityInquiry inquiryFrom(const Object& o) {
    model::EligibilityInquiry q;
    q.insured.insurerNumber = stringField(o, "insurerNumber", true);
    q.insured.cardSymbol = stringField(o, "cardSymbol", false);
    q.insured.cardNumber = stringField(o, "cardNumber", true);
    q.insured.branchNumber = stringField(o, "branchNumber", false);
    q.insured.birthDate = stringField(o, "birthDate", true);
    q.arbitraryIdentifier = stringField(o, "arbitraryIdentifier", false);
    if (o.has("limitCertificateConsent")) {
        auto v = o.get("limitCertificateConsent");
        if (!v.isBoolean()) throw KakehashiError(ErrorId::InvalidField, "limitCertificateConsent must be true or false");
        q.limitCertificateConsent = v.extract<bool>();
    }
    return q;
}

model::ReferenceNumberRegistration registrationFrom(const Object& o) {
    model::ReferenceNumberRegistration r;
    r.referenceNumber = stringField(o, "referenceNumber", true);
    r.insured.insurerNumber = stringField(o, "insurerNumber", true);
    r.insured.cardSymbol = stringField(o, "cardSymbol", false);
    r.insured.cardNumber = stringField(o, "cardNumber", true);
    r.insured.branchNumber = stringField(o, "branchNumber", false);
    return r;
}

Object::Ptr asObject(const Poco::Dynamic::Var& v, const char* what) {
    if (v.type() != typeid(Object::Ptr)) throw KakehashiError(ErrorId::MalformedJson, std::string(what) + " must be a JSON object");
    return v.extract<Object::Ptr>();
}

// "entries": a non-empty array of at most maxEntries objects, each decoded by `one` (errors name the index).
template <typename Entry, typename Decode>
std::vector<Entry> entriesOf(const Object& root, size_t maxEntries, Decode one) {
    if (!root.has("entries") || root.get("entries").type() != typeid(Array::Ptr))
        throw KakehashiError(ErrorId::InvalidField, "entries must be an array");
    auto entries = root.getArray("entries");
    if (entries->size() == 0) throw KakehashiError(ErrorId::EmptyRequest, "entries is empty");
    if (entries->size() > maxEntries)
        throw KakehashiError(ErrorId::TooManyEntries, "at most " + std::to_string(maxEntries) + " entries");
    std::vector<Entry> out;
    out.reserve(entries->size());
    for (size_t i = 0; i < entries->size(); ++i) {
        try {
            out.push_back(one(*asObject(entries->get(unsigned(i)), "an entry")));
        } catch (const KakehashiError& e) {
            throw KakehashiError(e.id(), "entries[" + std::to_string(i) + "]: " + e.what());
        }
    }
    return out;
}

}  // namespace

model::EligibilityInquiry decodeInquiryRequest(const std::string& body) {
    return inquiryFrom(*asObject(parseJson(body), "the request"));
}

model::EligibilityInquiry decodeInquiryObject(const Poco::JSON::Object& o) { return inquiryFrom(o); }

BatchRequest decodeBatchRequest(const std::string& body, size_t maxEntries) {
    auto root = asObject(parseJson(body), "the request");
    BatchRequest req;
    req.fileIdentifier = stringField(*root, "fileIdentifier", false);
    req.entries = entriesOf<model::EligibilityInquiry>(*root, maxEntries, inquiryFrom);
    return req;
}

std::vector<model::ReferenceNumberRegistration> decodeRegistrationRequest(const std::string& body, size_t maxEntries) {
    auto root = asObject(parseJson(body), "the request");
    return entriesOf<model::ReferenceNumberRegistration>(*root, maxEntries, registrationFrom);
}

Poco::JSON::Object::Ptr jsonObject(const std::string& body) {
    try {
        auto o = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
        if (o) return o;
    } catch (const std::exception&) {
    }
    throw model::KakehashiError(model::ErrorId::MalformedJson, "the body must be a JSON object");
}

std::string stringMember(const Poco::JSON::Object::Ptr& o, const char* key) {
    if (!o->has(key) || o->isNull(key)) return "";
    if (!o->get(key).isString()) throw model::KakehashiError(model::ErrorId::InvalidField, std::string(key) + " must be a string");
    return o->getValue<std::string>(key);
}

}  // namespace kh::endpoint

namespace kh::endpoint {

// What inquiryFrom reads; the values themselves are checked by model::validate (422 naming the member).
std::string inquiryProperties() {
    return R"(
        "insurerNumber":{"type":"string","maxLength":256,"description":"保険者番号（6桁または8桁、検証番号付き）"},
        "cardSymbol":{"type":"string","maxLength":256,"description":"記号（任意、全角可）"},
        "cardNumber":{"type":"string","maxLength":256,"description":"番号"},
        "branchNumber":{"type":"string","maxLength":256,"description":"枝番（任意、数字2桁）"},
        "birthDate":{"type":"string","maxLength":256,"description":"生年月日 YYYYMMDD"},
        "limitCertificateConsent":{"type":"boolean","description":"限度額適用認定証関連情報の提供に同意"},
        "arbitraryIdentifier":{"type":"string","maxLength":256,"description":"任意識別子（回答にそのまま返ります。64文字以内）"})";
}

const Schema& inquiryRequestSchema() {
    static const Schema s{"InquiryRequest",
                          R"({"type":"object","required":["insurerNumber","cardNumber","birthDate"],"properties":{)" +
                              inquiryProperties() + "}}",
                          {}};
    return s;
}

const Schema& batchRequestSchema() {
    static const Schema s{"BatchRequest", R"({"type":"object","required":["entries"],"properties":{
        "fileIdentifier":{"type":"string","maxLength":256,"description":"任意ファイル識別子"},
        "entries":{"type":"array","minItems":1,"items":{"$ref":"#/components/schemas/InquiryRequest"},
                   "description":"照会の並び（上限は設定 batch.maxEntries、既定 10000）"}}})",
                          {&inquiryRequestSchema()}};
    return s;
}

const Schema& registrationRequestSchema() {
    static const Schema s{"RegistrationRequest", R"({"type":"object","required":["entries"],"properties":{
        "entries":{"type":"array","minItems":1,"items":{"type":"object",
            "required":["referenceNumber","insurerNumber","cardNumber"],"properties":{
            "referenceNumber":{"type":"string","maxLength":256,"description":"照会番号（20文字以内の英数字とハイフン）"},
            "insurerNumber":{"type":"string","maxLength":256,"description":"保険者番号"},
            "cardSymbol":{"type":"string","maxLength":256,"description":"記号（任意）"},
            "cardNumber":{"type":"string","maxLength":256,"description":"番号"},
            "branchNumber":{"type":"string","maxLength":256,"description":"枝番（任意）"}}}}}})",
                          {}};
    return s;
}

}  // namespace kh::endpoint
