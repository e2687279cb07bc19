// kakehashi.record.inquiry and kakehashi.check: a plugin's inquiry table checked by the model's own rules
// (保険者番号 check digit, dates, lengths) and normalised, so plugins and the native adapter agree on what
// a valid 資格確認 entry is.
#include <algorithm>

#include "model/codes.hpp"
#include "plugins/host_library.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace kh::plugins {
namespace {
using model::FieldError;

// The Lua key, the field name the model reports, and where the value goes.
struct TextField {
    const char* key;
    const char* name;
    std::string model::InsuredIdentity::*member;
};

const TextField kIdentityFields[] = {
    {"insurerNumber", "InsurerNumber", &model::InsuredIdentity::insurerNumber},
    {"cardSymbol", "InsuredCardSymbol", &model::InsuredIdentity::cardSymbol},
    {"cardNumber", "InsuredIdentificationNumber", &model::InsuredIdentity::cardNumber},
    {"branchNumber", "InsuredBranchNumber", &model::InsuredIdentity::branchNumber},
    {"birthDate", "Birthdate", &model::InsuredIdentity::birthDate},
};

std::string typeProblem(const char* expected, const Value& got) {
    return std::string(expected) + "で指定してください（" + got.typeName() + "が渡されました）";
}

// A string field, trimmed; absent (nil) reads as "". Anything else is a field error.
std::string readText(const Value& t, const char* key, const char* name, std::vector<FieldError>& errors) {
    const Value* v = t.field(key);
    if (v == nullptr || v->isNil()) return "";
    if (v->isString()) return model::trimmed(v->text);
    errors.push_back({name, typeProblem("文字列", *v)});
    return "";
}

bool readFlag(const Value& t, std::vector<FieldError>& errors) {
    const Value* v = t.field("limitCertificateConsent");
    if (v == nullptr || v->isNil()) return false;
    if (v->kind == Value::Kind::Boolean) return v->boolean;
    errors.push_back({"LimitApplicationCertificateRelatedConsFlg", typeProblem("true/false", *v)});
    return false;
}

bool hasErrorFor(const std::vector<FieldError>& errors, const std::string& field) {
    return std::any_of(errors.begin(), errors.end(), [&](const FieldError& e) { return e.field == field; });
}

Value errorsValue(const std::vector<FieldError>& errors) {
    Value list = Value::table();
    for (const auto& e : errors)
        list.append(
            Value::table().set("field", Value::fromString(e.field)).set("message", Value::fromString(e.message)));
    return list;
}

std::string stringArg(lua_State* L, int index) {
    size_t n = 0;
    const char* s = lua_type(L, index) == LUA_TSTRING ? lua_tolstring(L, index, &n) : "";
    return std::string(s, n);
}

int recordInquiry(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    return host::guarded(L, [L] {
        const InquiryReading reading = readInquiry(readValue(L, 1));
        if (reading.errors.empty()) return host::results(L, {inquiryValue(reading.inquiry)});
        return host::results(L, {Value(), errorsValue(reading.errors)});
    });
}

int checkInsurer(lua_State* L) {
    return host::guarded(
        L, [L] { return host::results(L, {Value::fromBool(model::isValidInsurerNumber(stringArg(L, 1)))}); });
}

int checkInstitution(lua_State* L) {
    return host::guarded(
        L, [L] { return host::results(L, {Value::fromBool(model::isValidInstitutionCode(stringArg(L, 1)))}); });
}
}  // namespace

InquiryReading readInquiry(const Value& t) {
    InquiryReading r;
    if (!t.isTable()) {
        r.errors.push_back({"record", typeProblem("照会は表（table）", t)});
        return r;
    }
    std::vector<FieldError> typeErrors;
    for (const TextField& f : kIdentityFields) r.inquiry.insured.*f.member = readText(t, f.key, f.name, typeErrors);
    r.inquiry.arbitraryIdentifier = readText(t, "arbitraryIdentifier", "ArbitraryIdentifier", typeErrors);
    r.inquiry.limitCertificateConsent = readFlag(t, typeErrors);
    r.errors = typeErrors;
    for (const FieldError& e : model::validate(r.inquiry))
        if (!hasErrorFor(typeErrors, e.field)) r.errors.push_back(e);
    return r;
}

Value inquiryValue(const model::EligibilityInquiry& q) {
    Value t = Value::table();
    for (const TextField& f : kIdentityFields) t.set(f.key, Value::fromString(q.insured.*f.member));
    t.set("limitCertificateConsent", Value::fromBool(q.limitCertificateConsent));
    t.set("arbitraryIdentifier", Value::fromString(q.arbitraryIdentifier));
    return t;
}

namespace host {
void openCheck(lua_State* L) {
    const luaL_Reg functions[] = {{"insurer", checkInsurer}, {"institution", checkInstitution}, {nullptr, nullptr}};
    luaL_newlib(L, functions);
}

void openRecord(lua_State* L) {
    const luaL_Reg functions[] = {{"inquiry", recordInquiry}, {nullptr, nullptr}};
    luaL_newlib(L, functions);
}
}  // namespace host
}  // namespace kh::plugins
