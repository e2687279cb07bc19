#include "admin/audit_routes.hpp"

#include <algorithm>

#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "model/japan_date.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using base::JsonWriter;

std::vector<store::AuditEntry> filtered(store::AuditLog& audit, endpoint::HttpCall& http) {
    int limit = 200;
    try {
        if (!http.query["limit"].empty()) limit = std::clamp(std::stoi(http.query["limit"]), 1, 10000);
    } catch (const std::exception&) {
    }
    const std::string actor = http.query["actor"], text = http.query["q"];
    std::vector<store::AuditEntry> out;
    for (auto& e : audit.recent(http.query["action"], actor.empty() && text.empty() ? limit : 10000)) {
        if (!actor.empty() && e.actor != actor) continue;
        if (!text.empty() && (e.action + e.subject + e.detail).find(text) == std::string::npos) continue;
        out.push_back(std::move(e));
        if (int(out.size()) == limit) break;
    }
    return out;
}

std::string isoTime(int64_t t) { return model::japanIso8601(model::fromUnixSeconds(t)); }

// {intact, firstBrokenRow?, problems: [{row?, ja, en}], rowsChecked, checkpoint?: {id, row, count, at}}
std::string verdictJson(const store::AuditVerdict& verdict) {
    JsonWriter w;
    w.beginObject().field("intact", verdict.intact());
    if (auto row = verdict.firstBrokenRow()) w.field("firstBrokenRow", *row);
    w.beginArray("problems");
    for (const auto& p : verdict.problems) {
        w.beginObject();
        if (p.row) w.field("row", *p.row);
        w.field("ja", p.ja).field("en", p.en).endObject();
    }
    w.endArray().field("rowsChecked", verdict.rowsChecked);
    if (const auto& c = verdict.newestCheckpoint)
        w.object("checkpoint").field("id", c->id).field("row", c->rowId).field("count", c->rowCount).field("at", isoTime(c->at)).endObject();
    return w.endObject().take();
}

}  // namespace

std::string csvField(const std::string& value) {
    std::string out = "\"";
    if (!value.empty() && std::string("=+-@\t\r").find(value[0]) != std::string::npos) out += '\'';
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// The log's newest lines, filtered: ?level=warn (that level and above), ?event= (a prefix), ?q= (any text).
HttpReply logLines(endpoint::HttpCall& http) {
    static const std::vector<std::string> levels = {"debug", "info", "warn", "error"};
    auto from = std::find(levels.begin(), levels.end(), http.query["level"]);
    const std::string event = http.query["event"], text = http.query["q"];
    std::string out = "{\"lines\":[";
    bool first = true;
    auto lines = log::recentLines();
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {  // newest first
        const std::string& line = *it;
        if (from != levels.end()) {
            bool atLeast = false;
            for (auto l = from; l != levels.end(); ++l) atLeast |= line.find("\"level\":\"" + *l + "\"") != std::string::npos;
            if (!atLeast) continue;
        }
        if (!event.empty() && line.find("\"event\":\"" + event) == std::string::npos) continue;
        if (!text.empty() && line.find(text) == std::string::npos) continue;
        out += first ? "" : ",";
        out += line;  // each line is one JSON object already
        first = false;
    }
    return {200, "application/json", out + "]}", {}};
}

std::vector<AdminRoute> auditRoutes(store::AuditLog& audit) {
    return {
        {"GET", "/admin/api/logs", "The log's newest lines (?level=&event=&q=); never patient data", Permission::ViewAudit,
         [](AdminCall& call) { return logLines(call.http); }},
        {"GET", "/admin/api/audit", "Audit rows, newest first (?action=&actor=&q=&limit=)", Permission::ViewAudit,
         [&audit](AdminCall& call) {
             JsonWriter w;
             w.beginObject().beginArray("entries");
             for (const auto& e : filtered(audit, call.http))
                 w.beginObject()
                     .field("id", e.id)
                     .field("at", isoTime(e.at))
                     .field("actor", e.actor)
                     .field("action", e.action)
                     .field("subject", e.subject)
                     .field("detail", e.detail)
                     .field("hash", e.hash)
                     .endObject();
             w.endArray().endObject();
             return HttpReply{200, "application/json", w.take(), {}};
         }},
        {"GET", "/admin/api/audit/verify", "Verify the audit log's keyed chain, its checkpoints and the anchor file",
         Permission::ViewAudit, [&audit](AdminCall& call) {
             // This run's log lines carry the checkpoints made since the start: witnesses outside the database.
             auto verdict = audit.verify(log::recentLines());
             auto broken = verdict.firstBrokenRow();
             audit.append(call.actor(), "admin.audit-verified", "audit",
                          verdict.intact() ? "intact" : broken ? "broken at " + std::to_string(*broken) : "broken");
             return HttpReply{200, "application/json", verdictJson(verdict), {}};
         }},
        {"GET", "/admin/api/audit/export.csv", "The audit log as CSV (?action=&actor=&q=&limit=)", Permission::ViewAudit,
         [&audit](AdminCall& call) {
             std::string csv = "\xEF\xBB\xBFid,at,actor,action,subject,detail,hash\r\n";
             for (const auto& e : filtered(audit, call.http))
                 csv += std::to_string(e.id) + "," + csvField(isoTime(e.at)) + "," + csvField(e.actor) + "," +
                        csvField(e.action) + "," + csvField(e.subject) + "," + csvField(e.detail) + "," + e.hash + "\r\n";
             audit.append(call.actor(), "admin.audit-exported", "audit", "");
             return HttpReply{200, "text/csv; charset=UTF-8", csv,
                              {{"Content-Disposition", "attachment; filename=\"kakehashi-audit.csv\""}}};
         }},
    };
}

}  // namespace kh::admin
