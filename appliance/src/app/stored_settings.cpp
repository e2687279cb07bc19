// The configuration as it runs: the file, with what IT staff set in the web admin (store::Settings)
// laid over it. The keys are those of admin::settingRules(), and the upstream TLS files installed on
// the certificates page (admin/certificate_routes).
#include <sys/stat.h>

#include "app/config.hpp"
#include "plugins/plugin_order.hpp"
#include "store/settings.hpp"
#include "store/store.hpp"

namespace kh::app {

void applyStoredSettings(Config& c) {
    std::string db = c.stateDir + "/kakehashi.db";
    struct stat st {};
    if (::stat(db.c_str(), &st) != 0) return;
    store::Database database(db);  // the keys are not needed, and check-config runs without the service's credentials
    store::Settings settings(database);
    auto text = [&](const char* key, std::string& into) {
        if (auto s = settings.get(key)) into = s->value;
    };
    text("facility.name", c.facilityName);
    text("facility.institutionCode", c.institutionCode);
    text("upstream.baseUrl", c.upstream.baseUrl);
    text("upstream.certFile", c.upstream.certFile);
    text("upstream.keyFile", c.upstream.keyFile);
    text("upstream.caFile", c.upstream.caFile);
    if (auto s = settings.get("homeConsent.medicalInfoRetentionDays")) c.medicalInfoRetentionDays = std::stoi(s->value);
    if (auto s = settings.get("cardReaders.enabled")) c.cardReadersEnabled = s->value == "true";
    text("upstream.profile", c.upstreamProfile);
    if (auto s = settings.get("upstream.terminal.url"); s && !s->value.empty()) {
        c.terminal.url = s->value;
        c.terminal.path.clear();  // one of the two: the share set in the web admin wins
    }
    text("upstream.terminal.user", c.terminal.user);
    if (auto s = settings.get("upstream.terminal.concurrency")) c.terminal.concurrency = std::stoi(s->value);
    if (auto s = settings.get("upstream.terminal.answerTimeoutSeconds")) c.terminal.answerTimeoutSeconds = std::stoi(s->value);
    // upstream.terminal.password is sealed with the data key: the gateway opens it (it has the key).
    if (auto s = settings.get("fileDrop.enabled")) c.fileDropEnabled = s->value == "true";
    text("fileDrop.resultEncoding", c.fileDrop.resultEncoding);
    if (auto s = settings.get("fileDrop.faceExportBatches")) c.fileDrop.faceExportBatches = s->value == "true";
    if (auto s = settings.get("plugins.order")) c.plugins.order = plugins::parseOrder(s->value);
}

std::map<std::string, std::string> runningSettings(const Config& c) {
    return {{"facility.name", c.facilityName},
            {"facility.institutionCode", c.institutionCode},
            {"upstream.baseUrl", c.upstream.baseUrl},
            {"homeConsent.medicalInfoRetentionDays", std::to_string(c.medicalInfoRetentionDays)},
            {"cardReaders.enabled", c.cardReadersEnabled ? "true" : "false"},
            {"upstream.profile", c.upstreamProfile},
            {"upstream.terminal.url", c.terminal.url},
            {"upstream.terminal.user", c.terminal.user},
            {"upstream.terminal.concurrency", std::to_string(c.terminal.concurrency)},
            {"upstream.terminal.answerTimeoutSeconds", std::to_string(c.terminal.answerTimeoutSeconds)},
            {"fileDrop.enabled", c.fileDropEnabled ? "true" : "false"},
            {"fileDrop.resultEncoding", c.fileDrop.resultEncoding},
            {"fileDrop.faceExportBatches", c.fileDrop.faceExportBatches ? "true" : "false"},
            {"plugins.order", plugins::orderText(c.plugins.order)}};
}

}  // namespace kh::app
