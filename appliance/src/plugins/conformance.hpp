// The conformance kit behind `kakehashi plugin test <dir>`: checks a plugin bundle the way the box will
// (manifest, settings schema and defaults, signature when keys are given), runs its golden cases, and runs
// sandbox checks, producing a pass/fail report a vendor can attach to a delivery. The plugin's log lines
// during the run must use only the messages and fields its manifest declares.
//
// A golden case is a folder golden/<case>/ with:
//   in/<name>        the vendor message (a file, or for an HTTP route the body, named after the route)
//   inquiries.json   what decode_request must find: an array of inquiries or {"error": {...}} entries
//   answers.json     canonical answers (the HTTP API's answer objects) fed to encode_result
//   out/<name>       each output encode_result must produce (compared as JSON when the name ends in
//                    .json or is "callback"; byte for byte otherwise)
//   settings.json    optional settings for this case
#pragma once
#include <string>
#include <vector>

namespace kh::plugins {

struct CheckResult {
    std::string name;  // e.g. "golden/basic: decode"
    bool passed = false;
    std::string detail;
};

struct ConformanceReport {
    std::string pluginId, version;
    std::vector<CheckResult> checks;
    bool passed() const;
    std::string text() const;  // the printable report (Japanese and English)
};

// `record`: a case whose out/ is empty gets the adapter's outputs written there (for authoring golden
// cases; check them by eye before committing). Never overwrites.
ConformanceReport runConformance(const std::string& dir, const std::vector<std::string>& trustedKeys = {},
                                 bool record = false);

// Writes a new plugin bundle skeleton (manifest, adapter, one golden case) into <parent>/<id>.
void scaffoldPlugin(const std::string& parent, const std::string& id);

}  // namespace kh::plugins
