#include "plugins/conformance.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/files.hpp"
#include "base/log.hpp"
#include "plugins/lua_adapter.hpp"
#include "plugins/manifest.hpp"
#include "plugins/settings_schema.hpp"
#include "plugins/signature.hpp"

namespace kh::plugins {
namespace {
using base::readFile;  // throws naming the file: a conformance case with a file missing fails with its name

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> entriesOf(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') out.push_back(e->d_name);
        ::closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// JSON compared by value (object key order does not matter), via a canonical form with sorted keys.
std::string canonicalJson(const std::string& text) {
    Poco::Dynamic::Var v = Poco::JSON::Parser().parse(text);
    std::ostringstream ss;
    Poco::JSON::Stringifier::stringify(v, ss);  // the parser's objects keep keys sorted
    return ss.str();
}

std::string inquiriesJson(const DecodedRequest& d) {
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    for (const auto& e : d.entries) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        if (e.inquiry) {
            const auto& q = *e.inquiry;
            o->set("insurerNumber", q.insured.insurerNumber);
            o->set("cardSymbol", q.insured.cardSymbol);
            o->set("cardNumber", q.insured.cardNumber);
            o->set("branchNumber", q.insured.branchNumber);
            o->set("birthDate", q.insured.birthDate);
            o->set("arbitraryIdentifier", q.arbitraryIdentifier);
        } else {
            Poco::JSON::Object::Ptr err = new Poco::JSON::Object;
            err->set("field", e.errors.empty() ? std::string() : e.errors[0].field);
            o->set("error", err);
            o->set("arbitraryIdentifier", e.arbitraryIdentifier);
        }
        out->add(o);
    }
    std::ostringstream ss;
    out->stringify(ss);
    return ss.str();
}

// Expected errors are compared by field only: messages are for people and may be reworded.
std::string withoutErrorMessages(const std::string& json) {
    auto arr = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < arr->size(); ++i) {
        auto o = arr->getObject(unsigned(i));
        if (o && o->has("error")) o->getObject("error")->remove("message");
    }
    std::ostringstream ss;
    arr->stringify(ss);
    return ss.str();
}

std::vector<std::string> answersFrom(const std::string& json) {
    std::vector<std::string> out;
    auto arr = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < arr->size(); ++i) {
        std::ostringstream ss;
        arr->getObject(unsigned(i))->stringify(ss);
        out.push_back(ss.str());
    }
    return out;
}

bool isJsonName(const std::string& name) {
    return name == "callback" || (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0);
}

void recordOutputs(const std::string& caseDir, const std::vector<ChannelMessage>& outputs) {
    for (const auto& out : outputs) {
        if (out.name.empty() || out.name[0] == '.' || out.name.find('/') != std::string::npos)
            throw std::runtime_error("output name not allowed: " + out.name);
        std::ofstream(caseDir + "/out/" + out.name, std::ios::binary) << out.body;
    }
}

void runCase(const Manifest& m, const std::string& dir, const std::string& name, bool record, ConformanceReport& report) {
    std::string caseDir = dir + "/golden/" + name;
    std::string settings = exists(caseDir + "/settings.json") ? readFile(caseDir + "/settings.json") : "{}";
    LuaAdapter adapter(m, dir, visibleSettings(m.settingsSchemaJson, settings));
    auto inputs = entriesOf(caseDir + "/in");
    if (inputs.size() != 1) throw std::runtime_error("golden/" + name + "/in must hold exactly one message");
    ChannelMessage msg{inputs[0], readFile(caseDir + "/in/" + inputs[0]), ""};
    auto decoded = adapter.decodeRequest(msg);
    std::string want = withoutErrorMessages(readFile(caseDir + "/inquiries.json"));
    std::string got = withoutErrorMessages(inquiriesJson(decoded));
    bool same = canonicalJson(want) == canonicalJson(got);
    report.checks.push_back({"golden/" + name + ": decode_request", same, same ? "" : "got " + got});
    auto outputs = adapter.encodeResult({msg, decoded.correlation, answersFrom(readFile(caseDir + "/answers.json")), {}});
    auto expected = entriesOf(caseDir + "/out");
    if (record && expected.empty()) {
        recordOutputs(caseDir, outputs);
        report.checks.push_back({"golden/" + name + ": encode_result", false, "recorded: check out/ by eye"});
        return;
    }
    bool ok = outputs.size() == expected.size();
    std::string detail = ok ? "" : "expected " + std::to_string(expected.size()) + " outputs, got " + std::to_string(outputs.size());
    for (const auto& out : outputs) {
        if (!ok) break;
        if (!exists(caseDir + "/out/" + out.name)) {
            ok = false;
            detail = "unexpected output " + out.name;
            break;
        }
        std::string want = readFile(caseDir + "/out/" + out.name);
        bool match = isJsonName(out.name) ? canonicalJson(want) == canonicalJson(out.body) : want == out.body;
        if (!match) {
            ok = false;
            detail = out.name + " differs from the golden file";
        }
    }
    report.checks.push_back({"golden/" + name + ": encode_result", ok, detail});
}

// The host's promises, checked on this plugin: hostile or broken input is contained, never a crash.
void sandboxChecks(const Manifest& m, const std::string& dir, ConformanceReport& report) {
    LuaAdapter adapter(m, dir, visibleSettings(m.settingsSchemaJson, "{}"), SandboxLimits{});
    const std::vector<std::string> garbage = {"", std::string(4096, '\xff'), "\x81\x82,\"\n\"\"", "{\"patients\":[1,{}]}",
                                              std::string(100000, ',')};
    int contained = 0;
    for (const auto& body : garbage) {
        try {
            adapter.decodeRequest({"garbage.in", body, ""});
            ++contained;
        } catch (const AdapterError&) {
            ++contained;  // a clear error is what we want
        }
    }
    report.checks.push_back({"sandbox: garbage input is contained", contained == int(garbage.size()), ""});
    bool bounded = adapter.memoryInUse() < SandboxLimits{}.memoryBytes;
    report.checks.push_back({"sandbox: memory stays under the limit", bounded, std::to_string(adapter.memoryInUse()) + " bytes"});
}
// The plugin's own log lines while the kit ran (the newest the log keeps): each must use a declared message
// and declared fields with fitting values (host_log.cpp writes "undeclared" and "dropped_fields" otherwise).
void logChecks(const Manifest& m, size_t linesBefore, ConformanceReport& report) {
    const auto lines = log::recentLines();
    const std::string mine = "\"event\":\"plugin.log\",\"plugin\":\"" + m.id + "\"";
    int undeclared = 0, dropped = 0;
    for (size_t i = std::min(linesBefore, lines.size()); i < lines.size(); ++i) {
        if (lines[i].find(mine) == std::string::npos) continue;
        undeclared += lines[i].find("\"message\":\"undeclared\"") != std::string::npos;
        dropped += lines[i].find("\"dropped_fields\"") != std::string::npos;
    }
    std::string detail;
    if (undeclared > 0) detail = std::to_string(undeclared) + " line(s) with a message not in logMessages";
    if (dropped > 0)
        detail += (detail.empty() ? "" : "; ") + std::to_string(dropped) +
                  " line(s) with fields not in logFields or values not of their kind";
    report.checks.push_back({"logs: declared messages and fields only", detail.empty(), detail});
}
}  // namespace

bool ConformanceReport::passed() const {
    return !checks.empty() && std::all_of(checks.begin(), checks.end(), [](const CheckResult& c) { return c.passed; });
}

std::string ConformanceReport::text() const {
    std::ostringstream out;
    out << "Kakehashi プラグイン適合性レポート (plugin conformance report)\n"
        << "plugin: " << pluginId << " " << version << "\n";
    int passedCount = 0;
    for (const auto& c : checks) {
        out << (c.passed ? "  PASS  " : "  FAIL  ") << c.name << (c.detail.empty() ? "" : "  — " + c.detail) << "\n";
        passedCount += c.passed;
    }
    out << (passed() ? "合格 (PASSED)" : "不合格 (FAILED)") << ": " << passedCount << " passed, "
        << (checks.size() - passedCount) << " failed\n";
    return out.str();
}

ConformanceReport runConformance(const std::string& dir, const std::vector<std::string>& trustedKeys, bool record) {
    ConformanceReport report;
    Manifest m;
    try {
        m = loadManifest(dir);
        report.pluginId = m.id;
        report.version = m.version;
        report.checks.push_back({"manifest", true, ""});
    } catch (const std::exception& e) {
        report.checks.push_back({"manifest", false, e.what()});
        return report;
    }
    auto schemaProblems = validateSettings(m.settingsSchemaJson, "{}");
    bool requiredOnly = true;  // a schema with required settings cannot validate "{}": only schema errors count
    for (const auto& p : schemaProblems)
        if (p.find("schema") != std::string::npos) requiredOnly = false;
    report.checks.push_back({"settings schema", requiredOnly, requiredOnly ? "" : schemaProblems.front()});
    if (!trustedKeys.empty()) {
        std::string why = verifyBundle(dir, trustedKeys);
        report.checks.push_back({"signature", why.empty(), why});
    }
    const size_t linesBefore = log::recentLines().size();
    for (const auto& name : entriesOf(dir + "/golden")) {
        try {
            runCase(m, dir, name, record, report);
        } catch (const std::exception& e) {
            report.checks.push_back({"golden/" + name, false, e.what()});
        }
    }
    if (entriesOf(dir + "/golden").empty()) report.checks.push_back({"golden cases", false, "golden/ has no cases"});
    try {
        sandboxChecks(m, dir, report);
    } catch (const std::exception& e) {
        report.checks.push_back({"sandbox", false, e.what()});
    }
    logChecks(m, linesBefore, report);
    return report;
}

}  // namespace kh::plugins
