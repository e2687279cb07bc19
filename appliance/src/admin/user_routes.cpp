#include "admin/user_routes.hpp"

#include "admin/auth_routes.hpp"
#include "crypto/primitives.hpp"
#include "base/json_writer.hpp"
#include "endpoint/json_request.hpp"
#include "model/errors.hpp"
#include "model/password_policy.hpp"
#include "model/japan_date.hpp"
#include "store/store.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using base::JsonWriter;
using model::ErrorId;
using model::KakehashiError;

// An account as administrators see it: with its sign-in failures and locks from every address, and the
// addresses locked out (an attacker's machine, or a colleague who mistyped).
void writeManagedUser(JsonWriter& w, store::Users& users, const store::AdminUser& u) {
    auto failures = users.signInFailures(u, store::nowSeconds());
    writeUser(w, u);
    w.field("failedAttempts", int64_t(failures.failures)).field("locked", failures.lockedUntil != 0);
    if (failures.lockedUntil) w.field("lockedUntil", model::japanIso8601(model::fromUnixSeconds(failures.lockedUntil)));
    w.beginArray("lockedFrom");
    for (const auto& address : failures.lockedFrom) w.beginObject().field("address", address).endObject();
    w.endArray();
}

HttpReply userReply(int status, store::Users& users, const store::AdminUser& u) {
    JsonWriter w;
    w.beginObject();
    writeManagedUser(w, users, u);
    w.endObject();
    return {status, "application/json", w.take(), {}};
}

store::Role roleOf(const std::string& name) {
    auto role = store::roleFromName(name);
    if (!role) throw KakehashiError(ErrorId::InvalidField, "role: 管理者（administrator）、オペレーター（operator）、監査者（auditor）のどれかを選んでください");
    return *role;
}

store::AdminUser existing(store::Users& users, const std::string& idText) {
    int64_t id = 0;
    try {
        id = std::stoll(idText);
    } catch (const std::exception&) {
    }
    auto u = users.get(id);
    if (!u) throw KakehashiError(ErrorId::NotFound, "no such user");
    return *u;
}

// A password to hand over once, by word of mouth or on paper: 16 letters and digits without the ones
// people confuse (0/O, 1/l/I), in groups of four. About 80 bits.
std::string oneTimePassword(const std::string& username) {
    static const std::string letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (;;) {
        std::string out;
        for (unsigned char b : crypto::randomBytes(64)) {
            if (b >= 256 - 256 % letters.size()) continue;  // no bias towards the first letters
            if (out.size() % 5 == 4) out += '-';
            out += letters[b % letters.size()];
            if (out.size() == 19) break;
        }
        if (out.size() == 19 && model::passwordProblems(out, username).empty()) return out;
    }
}

}  // namespace

std::vector<AdminRoute> userRoutes(store::Users& users, store::Sessions& sessions, store::AuditLog& audit) {
    return {
        {"GET", "/admin/api/users", "Users and their roles", Permission::ManageUsers,
         [&users](AdminCall&) {
             JsonWriter w;
             w.beginObject().beginArray("users");
             for (const auto& u : users.list()) {
                 w.beginObject();
                 writeManagedUser(w, users, u);
                 w.endObject();
             }
             w.endArray().endObject();
             return HttpReply{200, "application/json", w.take(), {}};
         }},
        {"POST", "/admin/api/users", "Add a user: {username, displayName, role, password}", Permission::ManageUsers,
         [&users, &audit](AdminCall& call) {
             auto o = endpoint::jsonObject(call.http.body);
             auto u = users.create(endpoint::stringMember(o, "username"), endpoint::stringMember(o, "displayName"),
                                   roleOf(endpoint::stringMember(o, "role")), endpoint::stringMember(o, "password"),
                                   call.actor());
             audit.append(call.actor(), "admin.user-added", "user:" + std::to_string(u.id), std::string("role=") + store::roleName(u.role));
             return userReply(201, users, u);
         }},
        {"PATCH", "/admin/api/users/{id}", "Change a user: {role?, disabled?, password?}", Permission::ManageUsers,
         [&users, &sessions, &audit](AdminCall& call) {
             auto u = existing(users, call.http.params["id"]);
             auto o = endpoint::jsonObject(call.http.body);
             std::string subject = "user:" + std::to_string(u.id);
             if (o->has("role")) {
                 users.setRole(u.id, roleOf(endpoint::stringMember(o, "role")));
                 audit.append(call.actor(), "admin.user-role-changed", subject, "role=" + endpoint::stringMember(o, "role"));
             }
             if (o->has("disabled")) {
                 bool disabled = o->optValue<bool>("disabled", false);
                 users.setDisabled(u.id, disabled);
                 if (disabled) sessions.closeAllFor(u.id);
                 audit.append(call.actor(), disabled ? "admin.user-disabled" : "admin.user-enabled", subject, "");
             }
             if (o->has("password")) {
                 users.setPassword(u.id, endpoint::stringMember(o, "password"));
                 sessions.closeAllFor(u.id);
                 audit.append(call.actor(), "admin.user-password-set", subject, "");
             }
             return userReply(200, users, existing(users, call.http.params["id"]));
         }},
        {"POST", "/admin/api/users/{id}/password-reset",
         "Reset a user's password: {password} as typed, or {} for a one-time password shown in this answer only; "
         "every session of the user ends",
         Permission::ManageUsers, [&users, &sessions, &audit](AdminCall& call) {
             auto u = existing(users, call.http.params["id"]);
             auto o = endpoint::jsonObject(call.http.body);
             bool typed = o->has("password") && !o->isNull("password");
             std::string password = typed ? endpoint::stringMember(o, "password") : oneTimePassword(u.username);
             users.setPassword(u.id, password);
             sessions.closeAllFor(u.id);
             users.unlock(u.id);  // a user locked out by their forgotten password can use the new one at once
             audit.append(call.actor(), "admin.user-password-reset", "user:" + std::to_string(u.id),
                          typed ? "typed by the administrator" : "one-time password");
             JsonWriter w;
             w.beginObject();
             writeManagedUser(w, users, existing(users, call.http.params["id"]));
             if (!typed) w.field("oneTimePassword", password);
             w.endObject();
             crypto::secureZero(password);
             return HttpReply{200, "application/json", w.take(), {}};
         }},
        {"POST", "/admin/api/users/{id}/unlock", "Lift the lockouts after failed sign-ins, from every address", Permission::ManageUsers,
         [&users, &audit](AdminCall& call) {
             auto u = existing(users, call.http.params["id"]);
             users.unlock(u.id);
             audit.append(call.actor(), "admin.user-unlocked", "user:" + std::to_string(u.id), "");
             return userReply(200, users, existing(users, call.http.params["id"]));
         }},
        {"POST", "/admin/api/users/{id}/reset-second-factor", "Remove a lost second factor (the user enrols again)",
         Permission::ManageUsers, [&users, &sessions, &audit](AdminCall& call) {
             auto u = existing(users, call.http.params["id"]);
             users.resetTotp(u.id);
             sessions.closeAllFor(u.id);
             audit.append(call.actor(), "admin.user-second-factor-reset", "user:" + std::to_string(u.id), "");
             return userReply(200, users, existing(users, call.http.params["id"]));
         }},
    };
}

}  // namespace kh::admin
