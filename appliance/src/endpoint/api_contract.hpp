// What a route promises a receipt computer's vendor: the body it takes, the answers it gives and the
// problems it may refuse with. Each route file declares this next to its route (routes.hpp), with the
// schemas declared next to the code that reads or writes those bodies, so the OpenAPI document a vendor
// generates a client from is made from the same data the server runs on.
#pragma once
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "model/errors.hpp"

namespace kh::endpoint {

// An OpenAPI 3.0 Schema Object. Named ones go under components/schemas and are referred to as
// {"$ref":"#/components/schemas/<name>"}; unnamed ones are written where they are used. Answers are
// closed (additionalProperties false) so that a field added to an encoder without its schema fails the
// contract test; requests stay open because the decoders ignore members they do not know.
struct Schema {
    std::string name;
    std::string json;
    std::vector<const Schema*> uses;  // the named schemas its $refs point at, so the document carries them
};

// {"type":"object","additionalProperties":false,"properties":{<properties>},"required":[<required>]}:
// `properties` and `required` are JSON members without the braces, so schemas can share property lists.
std::string closedObject(const std::string& properties, const std::string& required = "");
std::string refTo(const Schema& s);  // {"$ref":"#/components/schemas/<name>"}

// Bodies that are not JSON.
const Schema& textSchema();    // text (CSV, Prometheus, HTML, SVG, XML)
const Schema& binarySchema();  // bytes (PNG, PDF)
const Schema& anyJsonSchema();  // a JSON object whose shape belongs to someone else (this document)
// application/problem+json as http/problem.cpp writes it; `type` and `code` are limited to the error table.
const Schema& problemSchema();
std::string problemProperties();  // its properties, for a problem that carries more (a card check's step)
const Schema& fieldErrorSchema();  // {"field","message"}: one problem with one request member

struct ApiParameter {
    std::string name;
    std::string in;  // path | query | header
    std::string description;
    std::string schema;  // a Schema Object (JSON)
    bool required = false;
};

struct ApiAnswer {
    int status = 200;
    std::string description;
    const Schema* schema = nullptr;
    std::vector<std::string> mediaTypes;
    std::vector<std::pair<std::string, std::string>> headers;  // name, description
};

struct ApiContract {
    std::string operationId;  // what a generated client names the call
    std::string tag;
    const Schema* body = nullptr;
    std::vector<std::string> bodyMediaTypes;
    std::vector<ApiParameter> parameters;
    std::vector<ApiAnswer> answers;
    std::vector<model::ErrorId> problems;
    const Schema* problemBody = nullptr;  // when refusals carry more than a plain problem (a card check's step)

    ApiContract() = default;
    ApiContract(std::string id, std::string tagName) : operationId(std::move(id)), tag(std::move(tagName)) {}

    ApiContract& takes(const Schema& s, std::vector<std::string> mediaTypes = {"application/json"}) {
        body = &s;
        bodyMediaTypes = std::move(mediaTypes);
        return *this;
    }
    // A path parameter's schema (a parameter not declared is documented as any non-empty string).
    ApiContract& path(std::string name, std::string description, std::string schema) {
        parameters.push_back({std::move(name), "path", std::move(description), std::move(schema), true});
        return *this;
    }
    ApiContract& query(std::string name, std::string description, std::string schema, bool required = false) {
        parameters.push_back({std::move(name), "query", std::move(description), std::move(schema), required});
        return *this;
    }
    ApiContract& header(std::string name, std::string description, std::string schema) {
        parameters.push_back({std::move(name), "header", std::move(description), std::move(schema), false});
        return *this;
    }
    ApiContract& gives(int status, std::string description, const Schema& s,
                       std::vector<std::string> mediaTypes = {"application/json"},
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
        answers.push_back({status, std::move(description), &s, std::move(mediaTypes), std::move(headers)});
        return *this;
    }
    ApiContract& refuses(std::initializer_list<model::ErrorId> ids, const Schema* withBody = nullptr) {
        problems.insert(problems.end(), ids.begin(), ids.end());
        if (withBody) problemBody = withBody;
        return *this;
    }
};

// The Location header of an answer that names where to ask next.
inline std::pair<std::string, std::string> locationHeader(const char* what) { return {"Location", what}; }

}  // namespace kh::endpoint
