#include "endpoint/api_contract.hpp"

#include "model/errors.hpp"

namespace kh::endpoint {

std::string closedObject(const std::string& properties, const std::string& required) {
    return R"({"type":"object","additionalProperties":false,"properties":{)" + properties + "}" +
           (required.empty() ? "" : ",\"required\":[" + required + "]") + "}";
}

std::string refTo(const Schema& s) { return R"({"$ref":"#/components/schemas/)" + s.name + "\"}"; }

const Schema& textSchema() {
    static const Schema s{"", R"({"type":"string"})", {}};
    return s;
}

const Schema& binarySchema() {
    static const Schema s{"", R"({"type":"string","format":"binary"})", {}};
    return s;
}

const Schema& anyJsonSchema() {
    static const Schema s{"", R"({"type":"object"})", {}};
    return s;
}

const Schema& fieldErrorSchema() {
    static const Schema s{"FieldError", closedObject(R"(
        "field":{"type":"string","description":"要求のJSONでの項目名（例: birthDate）"},
        "message":{"type":"string","description":"職員向けの説明"})",
                                                     R"("field","message")"),
                          {}};
    return s;
}

std::string problemProperties() {
    // `type` and `code` are closed lists made from the error table, so a client can switch on them and a
    // new error is a new entry in this document.
    std::string types, codes;
    for (auto* e = model::errorTableBegin(); e != model::errorTableEnd(); ++e) {
        types += std::string(types.empty() ? "" : ",") + "\"urn:kakehashi:problem:" + e->name + "\"";
        codes += std::string(codes.empty() ? "" : ",") + "\"" + e->code + "\"";
    }
    return R"("type":{"type":"string","enum":[)" + types + R"(]},
        "title":{"type":"string","description":"職員に見せる見出し（エラー表から）"},
        "status":{"type":"integer","description":"HTTP status"},
        "code":{"type":"string","enum":[)" + codes + R"(],"description":"ファイル連携の ErrorCode と同じコード"},
        "detail":{"type":"string","description":"この要求について（患者情報は含みません）"},
        "errors":{"type":"array","items":)" + refTo(fieldErrorSchema()) + "}";
}

const Schema& problemSchema() {
    static const Schema s{"Problem", closedObject(problemProperties(), R"("type","title","status","code")"), {&fieldErrorSchema()}};
    return s;
}

}  // namespace kh::endpoint
