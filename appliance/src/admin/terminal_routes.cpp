#include "admin/terminal_routes.hpp"

#include <memory>

#include "base/json_writer.hpp"
#include "crypto/encoding.hpp"
#include "endpoint/json_request.hpp"
#include "model/errors.hpp"
#include "upstream/share_folder.hpp"

namespace kh::admin {
namespace {
using base::JsonWriter;
using endpoint::jsonReply;
using model::ErrorId;
using model::KakehashiError;

constexpr const char kPasswordKey[] = "upstream.terminal.password";

std::string member(const Poco::JSON::Object::Ptr& o, const char* name, const std::string& fallback) {
    return o->has(name) && !o->isNull(name) ? endpoint::stringMember(o, name) : fallback;
}

// What the test is run with: each field as entered, else as stored in the web admin (what the next start
// will use), else as running now.
upstream::TerminalSettings entered(const Poco::JSON::Object::Ptr& o, const upstream::TerminalSettings& running,
                                   store::Settings& settings, const std::string& storedPassword) {
    upstream::TerminalSettings s = running;
    auto stored = [&settings](const char* key, const std::string& fallback) {
        auto v = settings.get(key);
        return v && !v->value.empty() ? v->value : fallback;
    };
    std::string storedUrl = stored("upstream.terminal.url", running.url);
    s.user = stored("upstream.terminal.user", running.user);
    s.url = member(o, "url", storedUrl);
    s.path = member(o, "path", s.url.empty() ? running.path : "");
    if (!s.url.empty()) s.path.clear();
    s.user = member(o, "user", s.user);
    std::string password = member(o, "password", "");
    s.password = !password.empty() ? password : (!storedPassword.empty() ? storedPassword : running.password);
    return s;
}

// Lists req/, res/ and face/ one by one, so the answer says which folder is missing or refused.
std::string testReply(const upstream::TerminalSettings& s) {
    JsonWriter w;
    w.beginObject();
    auto problems = upstream::terminalSettingsProblems(s);
    std::unique_ptr<upstream::ShareFolder> share;
    if (problems.empty()) {
        try {
            share = upstream::openShareFolder(s);
        } catch (const std::exception& e) {
            problems.push_back(e.what());
        }
    }
    bool ok = problems.empty();
    if (share) {
        w.field("share", share->describe()).beginArray("folders");
        for (const char* folder : {"req", "res", "face"}) {
            w.beginObject().field("name", folder);
            try {
                auto files = share->list(folder);
                w.field("ok", true).field("files", int64_t(files.size()));
            } catch (const upstream::ShareUnavailable& e) {
                ok = false;
                w.field("ok", false).field("problem", e.what());
            }
            w.endObject();
        }
        w.endArray();
    }
    w.field("ok", ok).beginArray("problems");
    for (const auto& p : problems) w.beginObject().field("message", p).endObject();
    w.endArray().endObject();
    return w.take();
}
}  // namespace

std::string storedTerminalPassword(store::Settings& settings, const store::DataKey& key) {
    auto stored = settings.get(kPasswordKey);
    if (!stored || stored->value.empty()) return "";
    auto sealed = crypto::base64Decode(stored->value);
    if (!sealed) return "";
    return key.open(*sealed, kPasswordKey);
}

std::vector<AdminRoute> terminalRoutes(TerminalParts parts) {
    auto p = std::make_shared<TerminalParts>(parts);
    return {
        {"PUT", "/admin/api/upstream/terminal/password",
         "Set the terminal share's password: {password} (sealed; never shown again; used from the next start)",
         Permission::ManageSettings, [p](AdminCall& call) {
             std::string password = endpoint::stringMember(endpoint::jsonObject(call.http.body), "password");
             if (password.size() > 256)
                 throw KakehashiError(ErrorId::InvalidField, "password: 256文字以内で入力してください");
             p->settings.set(kPasswordKey, password.empty() ? "" : crypto::base64Encode(p->key.seal(password, kPasswordKey)),
                             call.actor());
             p->audit.append(call.actor(), "admin.terminal-password-set", "setting:" + std::string(kPasswordKey),
                             password.empty() ? "cleared" : "set");
             JsonWriter w;
             w.beginObject().field("passwordSet", !password.empty()).endObject();
             return jsonReply(200, w.take());
         }},
        {"GET", "/admin/api/upstream/terminal", "Whether the terminal share's password is set (never the password)",
         Permission::ManageSettings, [p](AdminCall&) {
             JsonWriter w;
             auto stored = p->settings.get(kPasswordKey);
             w.beginObject()
                 .field("passwordSet", (stored && !stored->value.empty()) || !p->running.password.empty())
                 .endObject();
             return jsonReply(200, w.take());
         }},
        {"POST", "/admin/api/upstream/terminal/test",
         "接続テスト: reach the share with {url|path, user, password?} (stored values where left out) and list req/ res/ face/",
         Permission::ManageSettings, [p](AdminCall& call) {
             auto o = call.http.body.empty() ? Poco::JSON::Object::Ptr(new Poco::JSON::Object)
                                             : endpoint::jsonObject(call.http.body);
             auto s = entered(o, p->running, p->settings, storedTerminalPassword(p->settings, p->key));
             std::string reply = testReply(s);
             p->audit.append(call.actor(), "admin.terminal-tested", "upstream:terminal", "");
             return jsonReply(200, reply);
         }},
    };
}

}  // namespace kh::admin
