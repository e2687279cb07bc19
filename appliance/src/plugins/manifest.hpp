// A plugin bundle's manifest (plugins/<id>/plugin.json): who it is, what it contributes, what settings it
// takes. The host reads it; a plugin never registers itself by side effect.
#pragma once
#include <string>
#include <vector>

namespace kh::plugins {

struct ChannelBinding {
    std::string type;     // "file" | "http"
    std::string folder;   // file: folder under the share root holding in/ and out/ (e.g. "vendor-a")
    std::string pattern;  // file: glob of request names, e.g. "*.csv"
    std::string route;    // http: sub-path under /api/v1/adapters/{id}/, e.g. "inquiries"
    // http: "response" (answers in the HTTP reply) or "webhook" (202 at once; the results are pushed to
    // the plugin's "callbackUrl" setting, with its secret "callbackToken" as a bearer token)
    std::string delivery = "response";
};

// A field a plugin may put in its log lines (kakehashi.log): a name and a kind that cannot carry patient
// data as text. Count: an integer 0..10000 (no more than the entries of one message); DurationMs: a
// number 0..60000, logged in whole milliseconds; Bool: true or false; Code: one of `codes`, declared in
// the signed manifest, so that no text computed at run time (a name, a date, a number) can be logged.
struct LogField {
    enum class Kind { Count, DurationMs, Bool, Code };
    std::string name;  // [a-z][A-Za-z0-9_]{0,31}
    Kind kind = Kind::Count;
    std::vector<std::string> codes;  // Code: each [A-Za-z0-9_.:-]{1,32} without 4 digits in a row
};

struct Manifest {
    std::string id;          // [a-z0-9-]{2,40}
    std::string name;        // for people (Japanese allowed)
    std::string description; // optional: what it is for, shown beside the name in the web admin
    std::string version;     // semver "1.2.3"
    int apiLevel = 1;        // host API level the plugin was written for
    std::string kind;        // "adapter"
    std::string entry;       // entry file, e.g. "adapter.lua"
    std::string settingsSchemaJson = "{}";  // JSON-Schema subset, see settings_schema.hpp
    std::vector<ChannelBinding> channels;
    std::vector<std::string> logMessages;  // the only messages kakehashi.log writes: [a-z0-9-]{1,40}
    std::vector<LogField> logFields;       // the only fields it writes
};

constexpr int kHostApiLevel = 1;

// Reads and checks <dir>/plugin.json. Throws std::runtime_error with a message that names the field.
Manifest loadManifest(const std::string& dir);

}  // namespace kh::plugins
