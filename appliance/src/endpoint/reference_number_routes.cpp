#include "endpoint/reference_number_routes.hpp"

#include <cctype>

#include "base/json_writer.hpp"
#include "endpoint/http_api.hpp"
#include "endpoint/json_request.hpp"
#include "endpoint/reference_number_csv.hpp"

namespace kh::endpoint {
using base::JsonWriter;
namespace {
using model::ErrorId;
using Outcome = services::RegistrationOutcome;

void writeResult(JsonWriter& w, const services::RegistrationResult& r, size_t line) {
    w.beginObject().field("referenceNumber", r.referenceNumber);
    if (line > 0) w.field("line", int64_t(line));
    // The service names invalid members as the spec does (its results also go to files); over HTTP they
    // are the JSON members the client sent.
    auto fieldErrors = model::withJsonNames(r.fieldErrors);
    w.field("status", r.status).field("code", r.code).field("message", fieldErrors.empty() ? r.message : model::describe(fieldErrors));
    if (!fieldErrors.empty()) {
        w.beginArray("errors");
        for (const auto& fe : fieldErrors) w.beginObject().field("field", fe.field).field("message", fe.message).endObject();
        w.endArray();
    }
    w.endObject();
}

// 200 {"status":"done","results":[…]} or 202 {"status":"queued","ticket":N,"results":[…]} (then the entries
// sent upstream are "pending"); `lines` gives each result its CSV line when imported.
HttpReply outcomeReply(const Outcome& out, const std::vector<size_t>& lines = {}) {
    if (out.kind == Outcome::Kind::NotFound) return problemReply(ErrorId::NotFound, "unknown ticket");
    bool queued = out.kind == Outcome::Kind::Queued;
    JsonWriter w;
    w.beginObject().field("status", queued ? "queued" : "done");
    if (out.ticket > 0) w.field("ticket", out.ticket);
    w.beginArray("results");
    for (size_t i = 0; i < out.results.size(); ++i) writeResult(w, out.results[i], i < lines.size() ? lines[i] : 0);
    w.endArray().endObject();
    HttpReply reply{queued ? 202 : 200, "application/json", w.take(), {}};
    if (queued) reply.headers.push_back({"Location", "/api/v1/reference-numbers/" + std::to_string(out.ticket)});
    return reply;
}

// What outcomeReply writes.
const Schema& registrationOutcomeSchema() {
    static const Schema s{"RegistrationOutcome", closedObject(R"(
        "status":{"type":"string","enum":["done","queued"],"description":"queued: 中央に届くまで pending の項目があります"},
        "ticket":{"type":"integer","format":"int64","description":"queued のとき GET /api/v1/reference-numbers/{ticket}"},
        "results":{"type":"array","description":"要求と同じ順","items":)" + closedObject(R"(
            "referenceNumber":{"type":"string"},
            "line":{"type":"integer","description":"CSVの行番号（取り込みのとき）"},
            "status":{"type":"string","enum":["registered","refused","invalid","pending"]},
            "code":{"type":"string","description":"中央の処理結果コード、または KKH-E…"},
            "message":{"type":"string"},
            "errors":{"type":"array","items":)" + refTo(fieldErrorSchema()) + "}",
            R"("referenceNumber","status","code","message")") + "}", R"("status","results")"),
                          {&fieldErrorSchema()}};
    return s;
}

const Schema& registrationCsvSchema() {
    static const Schema s{"", R"({"type":"string","description":"ヘッダー行 照会番号,保険者番号,記号,番号,枝番 のCSV（UTF-8 または Shift_JIS）"})", {}};
    return s;
}

ApiContract answered(ApiContract c) {
    c.gives(200, "全件の結果 (every entry answered)", registrationOutcomeSchema())
        .gives(202, "中央に届かず後で回答します (queued: pending entries are answered later)", registrationOutcomeSchema(),
               {"application/json"}, {locationHeader("結果を取りに行く先 (GET /api/v1/reference-numbers/{ticket})")});
    return c;
}

bool isCsv(const HttpCall& call) {
    auto it = call.headers.find("content-type");
    if (it == call.headers.end()) return false;
    std::string type = it->second.substr(0, it->second.find(';'));
    for (auto& c : type) c = char(std::tolower(static_cast<unsigned char>(c)));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    return type == "text/csv";
}

Route postRegistrations(services::ReferenceNumberService& s) {
    return Route{"POST", "/api/v1/reference-numbers",
            "照会番号登録 (register reference numbers): {entries:[…]}, answered per entry or queued", Access::ApiClient,
            [&s](HttpCall& call) {
                auto entries = decodeRegistrationRequest(call.body, s.policy().maxEntries);
                return outcomeReply(s.registerEntries(entries, s.policy().liveWait));
            }}
        .with(answered(ApiContract("postReferenceNumbers", "reference-numbers").takes(registrationRequestSchema()))
                  .refuses({ErrorId::EmptyRequest, ErrorId::MalformedJson, ErrorId::InvalidField, ErrorId::TooManyEntries}));
}

Route importCsv(services::ReferenceNumberService& s) {
    return Route{"POST", "/api/v1/reference-numbers/import",
            "照会番号の一括登録 from CSV (text/csv, UTF-8 or Shift_JIS; header 照会番号,保険者番号,記号,番号,枝番)",
            Access::ApiClient, [&s](HttpCall& call) {
                if (!isCsv(call)) return problemReply(ErrorId::MalformedCsv, "Content-Type must be text/csv");
                // The whole file is read first: a malformed line refuses it before anything is registered.
                auto rows = decodeRegistrationCsv(call.body, call.headers["content-type"], s.policy().maxEntries);
                std::vector<model::ReferenceNumberRegistration> entries;
                std::vector<size_t> lines;
                for (auto& row : rows) {
                    entries.push_back(std::move(row.registration));
                    lines.push_back(row.line);
                }
                return outcomeReply(s.registerEntries(entries, s.policy().liveWait), lines);
            }}
        .with(answered(ApiContract("importReferenceNumbers", "reference-numbers").takes(registrationCsvSchema(), {"text/csv"}))
                  .refuses({ErrorId::EmptyRequest, ErrorId::MalformedCsv, ErrorId::BadEncoding, ErrorId::TooManyEntries}));
}

Route getTicket(services::ReferenceNumberService& s) {
    return Route{"GET", "/api/v1/reference-numbers/{ticket}", "The answers of a queued registration", Access::ApiClient,
            [&s](HttpCall& call) {
                const auto& t = call.params["ticket"];
                if (t.empty() || t.size() > 18 || t.find_first_not_of("0123456789") != std::string::npos)
                    return problemReply(ErrorId::NotFound, "unknown ticket");
                return outcomeReply(s.follow(std::stoll(t)));
            }}
        .with(answered(ApiContract("getReferenceNumberTicket", "reference-numbers")
                           .path("ticket", "202 の ticket", R"({"type":"string","pattern":"^[0-9]{1,18}$"})"))
                  .refuses({ErrorId::NotFound}));
}
}  // namespace

std::vector<Route> referenceNumberRoutes(services::ReferenceNumberService& s) {
    return {postRegistrations(s), importCsv(s), getTicket(s)};
}

}  // namespace kh::endpoint
