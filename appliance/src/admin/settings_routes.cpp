#include "admin/settings_routes.hpp"

#include <Poco/URI.h>

#include "base/json_writer.hpp"
#include "endpoint/json_request.hpp"
#include "model/codes.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"
#include "plugins/plugin_order.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using base::JsonWriter;
using model::ErrorId;
using model::KakehashiError;

std::string facilityName(const std::string& v) {
    if (v.empty() || v.size() > 300) return "医療機関名を1〜100文字で入力してください";
    for (unsigned char c : v)
        if (c < 0x20 || c == 0x7F) return "改行やタブなどの制御文字を除いて入力してください";
    return "";
}

std::string institutionCode(const std::string& v) {
    return model::isValidInstitutionCode(v) ? "" : "医療機関等コードが正しくありません。10桁の数字で、最後の検証番号まで正しく入力してください";
}

std::string upstreamUrl(const std::string& v) {
    try {
        Poco::URI uri(v);
        if (uri.getScheme() == "https" && !uri.getHost().empty() && uri.getPath().empty() && uri.getQuery().empty())
            return "";
    } catch (const Poco::Exception&) {
    }
    return "https://ホスト名 または https://ホスト名:ポート の形式で入力してください（末尾の / やパスは付けません）";
}

std::string retentionDays(const std::string& v) {
    try {
        size_t used = 0;
        int days = std::stoi(v, &used);
        if (used == v.size() && days >= 1 && days <= 90) return "";
    } catch (const std::exception&) {
    }
    return "1〜90 の日数を数字で入力してください";
}

std::string onOff(const std::string& v) { return v == "true" || v == "false" ? "" : "true（使う）か false（使わない）を選んでください"; }

std::string upstreamProfile(const std::string& v) {
    return v == "central-v1" || v == "terminal" ? "" : "central-v1 か terminal を選んでください";
}

std::string terminalShare(const std::string& v) {
    if (v.empty()) return "";  // not set yet: the profile then waits, as before its certificates
    try {
        Poco::URI uri(v);
        if (uri.getScheme() == "smb" && !uri.getHost().empty() && uri.getPath().size() > 1 && uri.getQuery().empty() &&
            uri.getUserInfo().empty())
            return "";
    } catch (const Poco::Exception&) {
    }
    return "smb://ホスト名/共有名 の形式で入力してください（アカウントとパスワードは別の欄に）";
}

std::string accountName(const std::string& v) {
    if (v.size() > 256) return "アカウント名は256文字以内で入力してください";
    for (unsigned char c : v)
        if (c < 0x20 || c == 0x7F) return "改行やタブなどの制御文字を除いて入力してください";
    return "";
}

std::string numberIn(const std::string& v, int low, int high) {
    try {
        size_t used = 0;
        int n = std::stoi(v, &used);
        if (used == v.size() && n >= low && n <= high) return "";
    } catch (const std::exception&) {
    }
    return std::to_string(low) + "〜" + std::to_string(high) + " の数を入力してください";
}
std::string terminalConcurrency(const std::string& v) { return numberIn(v, 1, 100); }
std::string terminalTimeout(const std::string& v) { return numberIn(v, 5, 600); }

std::string resultEncoding(const std::string& v) {
    return v == "request" || v == "utf-8" || v == "shift_jis"
               ? ""
               : "request（要求と同じ）、utf-8、shift_jis のどれかを選んでください";
}

const SettingRule* ruleFor(const std::string& key) {
    for (const auto& r : settingRules())
        if (r.key == key) return &r;
    return nullptr;
}

std::string isoTime(int64_t t) { return t ? model::japanIso8601(model::fromUnixSeconds(t)) : ""; }

}  // namespace

std::vector<std::string> waitingForRestart(store::Settings& settings, const std::map<std::string, std::string>& running) {
    std::vector<std::string> out;
    for (const auto& r : settingRules()) {
        if (r.appliesNow) continue;
        auto stored = settings.get(r.key);
        auto now = running.find(r.key);
        if (stored && stored->value != (now == running.end() ? "" : now->second)) out.push_back(r.key);
    }
    return out;
}

const std::vector<SettingRule>& settingRules() {
    static const std::vector<SettingRule> rules = {
        {"facility.name", true, facilityName},
        {"facility.institutionCode", false, institutionCode},
        {"upstream.baseUrl", false, upstreamUrl},
        {"homeConsent.medicalInfoRetentionDays", false, retentionDays},
        {"cardReaders.enabled", false, onOff},
        {"upstream.profile", false, upstreamProfile},
        {"upstream.terminal.url", false, terminalShare},
        {"upstream.terminal.user", false, accountName},
        {"upstream.terminal.concurrency", false, terminalConcurrency},
        {"upstream.terminal.answerTimeoutSeconds", false, terminalTimeout},
        {"fileDrop.enabled", false, onOff},
        {"fileDrop.resultEncoding", false, resultEncoding},
        {"fileDrop.faceExportBatches", false, onOff},
        // Enabled, disabled and moved on the plugins page, which puts the new order to use at once.
        {"plugins.order", true, plugins::orderProblem},
    };
    return rules;
}

std::vector<AdminRoute> settingsRoutes(store::Settings& settings, store::AuditLog& audit,
                                       std::map<std::string, std::string> running, ApplyNow applyNow) {
    auto item = [&settings, running](JsonWriter& w, const SettingRule& r) {
        auto stored = settings.get(r.key);
        auto now = running.find(r.key);
        std::string inEffect = now == running.end() ? "" : now->second;
        std::string value = stored ? stored->value : inEffect;
        w.beginObject()
            .field("key", r.key)
            .field("value", value)
            .field("source", stored ? "admin" : "config")
            .field("appliesAt", r.appliesNow ? "now" : "restart")
            .field("restartPending", !r.appliesNow && stored && stored->value != inEffect);
        if (stored) w.field("updatedAt", isoTime(stored->updatedAt)).field("updatedBy", stored->updatedBy);
        w.endObject();
    };
    return {
        {"GET", "/admin/api/settings", "Settings, where each comes from and whether any waits for a restart",
         Permission::ManageSettings, [item, &settings, running](AdminCall&) {
             JsonWriter w;
             w.beginObject().beginArray("settings");
             for (const auto& r : settingRules()) item(w, r);
             w.endArray().field("restartPending", !waitingForRestart(settings, running).empty()).endObject();
             return HttpReply{200, "application/json", w.take(), {}};
         }},
        {"PUT", "/admin/api/settings/{key}", "Change a setting: {value}", Permission::ManageSettings,
         [&settings, &audit, item, applyNow](AdminCall& call) {
             const SettingRule* rule = ruleFor(call.http.params["key"]);
             if (!rule) throw KakehashiError(ErrorId::NotFound, "その名前の設定はありません");
             std::string value = endpoint::stringMember(endpoint::jsonObject(call.http.body), "value");
             std::string problem = rule->problem(value);
             if (!problem.empty()) throw KakehashiError(ErrorId::InvalidField, rule->key + ": " + problem);
             auto before = settings.get(rule->key);
             if (rule->appliesNow && applyNow) applyNow(rule->key, value);
             settings.set(rule->key, value, call.actor());
             audit.append(call.actor(), "admin.setting-changed", "setting:" + rule->key,
                          before ? "changed" : "set");  // values may name the facility: kept in the history only
             JsonWriter w;
             item(w, *rule);
             return HttpReply{200, "application/json", w.take(), {}};
         }},
        {"GET", "/admin/api/settings/{key}/history", "Every value a setting had, with who and when", Permission::ManageSettings,
         [&settings](AdminCall& call) {
             if (!ruleFor(call.http.params["key"])) throw KakehashiError(ErrorId::NotFound, "その名前の設定はありません");
             JsonWriter w;
             w.beginObject().beginArray("history");
             for (const auto& h : settings.history(call.http.params["key"]))
                 w.beginObject().field("value", h.value).field("at", isoTime(h.updatedAt)).field("by", h.updatedBy).endObject();
             w.endArray().endObject();
             return HttpReply{200, "application/json", w.take(), {}};
         }},
    };
}

}  // namespace kh::admin
