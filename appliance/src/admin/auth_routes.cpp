#include "admin/auth_routes.hpp"

#include "admin/admin_server.hpp"
#include "base/log.hpp"
#include "crypto/totp.hpp"
#include "endpoint/http_api.hpp"
#include "endpoint/json_request.hpp"
#include "model/errors.hpp"
#include "model/password_policy.hpp"
#include "model/japan_date.hpp"
#include "services/qr_code.hpp"
#include "store/sign_in_origin.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using endpoint::jsonReply;
using base::JsonWriter;
using model::ErrorId;
using model::KakehashiError;

std::string isoTime(int64_t t) { return t ? model::japanIso8601(model::fromUnixSeconds(t)) : ""; }

// What the throttle and the lockout count a try against: the client's address (an IPv6 one's /64).
std::string originOf(const AdminCall& call) { return store::signInOrigin(call.http.remoteAddress); }

store::SignInThrottle::Admission admit(AuthParts& p, const AdminCall& call) {
    return p.throttle.admit(originOf(call), store::SignInThrottle::Clock::now());
}

// Not audited: a refusal costs the box nothing, and a row for each would let a flood of them fill the
// audit log. The failures that led to it are there already.
HttpReply tooManyAttempts(const store::SignInThrottle::Admission& refused) {
    std::string seconds = std::to_string(refused.retryAfter().count());
    auto reply = endpoint::problemReply(ErrorId::TooManyAttempts, "retry after " + seconds + " s");
    reply.headers.emplace_back("Retry-After", seconds);
    return reply;
}

// A new session for `user` (second factor still to come), handed to the browser as a cookie.
HttpReply signedIn(AuthParts& p, const store::AdminUser& user, const std::string& remote, int status) {
    auto [token, session] = p.sessions.open(user.id, false, remote, store::nowSeconds());
    JsonWriter w;
    w.beginObject()
        .field("next", user.totpEnabled ? "second-factor" : "enrol-second-factor")
        .field("csrfToken", session.csrfToken)
        .object("user");
    writeUser(w, user);
    w.endObject().endObject();
    return jsonReply(status, w.take(), {{"Set-Cookie", sessionCookie(token, p.sessionSeconds)}});
}

// The session after the second factor replaces the one from the password, in a new cookie: a token
// planted or seen before the second factor is worth nothing (store/sessions).
HttpReply secondFactorPassed(AuthParts& p, AdminCall& call, JsonWriter& answer) {
    auto [token, session] = p.sessions.renewAfterSecondFactor(call.sessionToken, store::nowSeconds());
    answer.field("csrfToken", session.csrfToken).endObject();
    return jsonReply(200, answer.take(), {{"Set-Cookie", sessionCookie(token, p.sessionSeconds)}});
}

HttpReply setupStatus(AuthParts& p) {
    return jsonReply(200, JsonWriter().beginObject().field("needed", p.users.count() == 0).endObject().take());
}

HttpReply setup(AuthParts& p, AdminCall& call) {
    if (p.users.count() > 0) throw KakehashiError(ErrorId::SetupDone, "");
    auto admission = admit(p, call);
    if (!admission) return tooManyAttempts(admission);
    auto o = endpoint::jsonObject(call.http.body);
    std::string username = endpoint::stringMember(o, "username");
    // Everything is checked before the code, and the code is spent in the transaction that makes the
    // administrator: a request that cannot succeed (a bad name, a weak password) leaves the code usable.
    auto account = p.users.check(username, endpoint::stringMember(o, "displayName"), store::Role::Administrator,
                                 endpoint::stringMember(o, "password"));
    std::optional<store::AdminUser> user;
    try {
        user = p.setupCode.createFirstAdministrator(endpoint::stringMember(o, "setupCode"), p.users, account);
    } catch (const KakehashiError& e) {
        if (e.id() == ErrorId::SetupCodeWrong) p.audit.append(username, "admin.setup-refused", "setup", "wrong setup code");
        throw;
    }
    admission.succeeded();
    p.audit.append(user->username, "admin.setup", "user:" + std::to_string(user->id), "first administrator created");
    log::info("admin.setup_done", {{"user", std::to_string(user->id)}});
    return signedIn(p, *user, call.http.remoteAddress, 201);
}

HttpReply login(AuthParts& p, AdminCall& call) {
    auto admission = admit(p, call);
    if (!admission) return tooManyAttempts(admission);
    auto o = endpoint::jsonObject(call.http.body);
    std::string username = endpoint::stringMember(o, "username");
    std::string origin = originOf(call);
    auto outcome = p.users.checkPassword(username, endpoint::stringMember(o, "password"), origin, store::nowSeconds());
    if (outcome.check == store::Users::PasswordCheck::Ok) {
        admission.succeeded();
        p.audit.append(outcome.user->username, "admin.password-accepted", "user:" + std::to_string(outcome.user->id), "");
        return signedIn(p, *outcome.user, call.http.remoteAddress, 200);
    }
    // One answer, in the same time, for an unknown name, a wrong password, a name locked for this address
    // and a disabled account. Even the right password of a locked account gets it: were that told
    // "locked", the lock would stop nothing, since each guess made during it would still show whether it
    // was the password. Staff who locked themselves out read in this very message that repeated failures
    // block their machine for a while; administrators see the lock, and its address, in the users list.
    std::string actor = username.empty() ? "anonymous" : username.substr(0, 32);
    if (outcome.lockedUntil)
        p.audit.append(actor, "admin.login-locked", "login", "from " + origin + " until " + isoTime(outcome.lockedUntil));
    else
        p.audit.append(actor, "admin.login-refused", "login", "from " + origin);
    throw KakehashiError(ErrorId::SignInFailed, "");
}

HttpReply secondFactor(AuthParts& p, AdminCall& call) {
    if (!call.user->totpEnabled) throw KakehashiError(ErrorId::Forbidden, "enrol a second factor first");
    auto admission = admit(p, call);
    if (!admission) return tooManyAttempts(admission);
    auto o = endpoint::jsonObject(call.http.body);
    std::string subject = "user:" + std::to_string(call.user->id);
    auto outcome = p.users.checkSecondFactor(call.user->id, endpoint::stringMember(o, "code"), originOf(call),
                                             store::nowSeconds());
    switch (outcome.check) {
    case store::Users::SecondFactorCheck::Accepted: {
        admission.succeeded();
        p.audit.append(call.actor(), "admin.login", subject, "password and TOTP");
        JsonWriter answer;
        answer.beginObject();
        return secondFactorPassed(p, call, answer);
    }
    case store::Users::SecondFactorCheck::Locked:
        // Said plainly here, unlike at the password: whoever gets this far has the account's password, so
        // the lock tells nothing about which names are accounts, and the user learns why to stop.
        p.audit.append(call.actor(), "admin.second-factor-refused", subject, "locked from " + originOf(call));
        p.sessions.close(call.sessionToken);
        throw KakehashiError(ErrorId::AccountLocked, "until " + isoTime(outcome.lockedUntil));
    case store::Users::SecondFactorCheck::Wrong: break;
    }
    p.audit.append(call.actor(), "admin.second-factor-refused", subject, "from " + originOf(call));
    throw KakehashiError(ErrorId::SecondFactorWrong, "");
}

// Enrolment: a new secret as base32, its otpauth URI and the same as a QR code (SVG) for the phone app.
HttpReply beginEnrolment(AuthParts& p, AdminCall& call) {
    if (call.user->totpEnabled && !call.session->secondFactorPassed)
        throw KakehashiError(ErrorId::Forbidden, "sign in with the current second factor first");
    std::string secret = p.users.beginTotpEnrolment(call.user->id);
    std::string uri = crypto::otpauthUri("Kakehashi", call.user->username, secret);
    std::string svg = services::qrSvg(uri, services::QrOptions{});
    return jsonReply(200, JsonWriter()
                         .beginObject()
                         .field("secret", crypto::base32Encode(secret))
                         .field("otpauthUri", uri)
                         .field("qrSvg", svg)
                         .endObject()
                         .take());
}

HttpReply confirmEnrolment(AuthParts& p, AdminCall& call) {
    auto o = endpoint::jsonObject(call.http.body);
    auto codes = p.users.confirmTotpEnrolment(call.user->id, endpoint::stringMember(o, "code"), store::nowSeconds());
    if (!codes) throw KakehashiError(ErrorId::SecondFactorWrong, "");
    p.audit.append(call.actor(), "admin.second-factor-enrolled", "user:" + std::to_string(call.user->id), "");
    JsonWriter answer;
    answer.beginObject().beginArray("recoveryCodes");
    for (const auto& c : *codes) answer.beginObject().field("code", c).endObject();
    answer.endArray();
    return secondFactorPassed(p, call, answer);
}

HttpReply me(AdminCall& call) {
    JsonWriter w;
    w.beginObject()
        .field("csrfToken", call.session->csrfToken)
        .field("secondFactorPassed", call.session->secondFactorPassed)
        .object("user");
    writeUser(w, *call.user);
    w.endObject().beginArray("permissions");
    for (auto perm : {Permission::ViewDashboard, Permission::RunCardChecks, Permission::ViewAudit, Permission::ManageUsers,
                      Permission::ManageSettings})
        if (roleHas(call.user->role, perm)) w.beginObject().field("name", permissionName(perm)).endObject();
    w.endArray().endObject();
    return jsonReply(200, w.take());
}

// A signed-in user's own new password: the current one first, checked like a sign-in (throttled, and a
// wrong one counts towards the lockout, so a left-open session is no way to guess it), then the policy.
// Every session of the user ends, this one too: they sign in again with the new password.
HttpReply changeOwnPassword(AuthParts& p, AdminCall& call) {
    auto admission = admit(p, call);
    if (!admission) return tooManyAttempts(admission);
    auto o = endpoint::jsonObject(call.http.body);
    std::string next = endpoint::stringMember(o, "newPassword");
    std::string subject = "user:" + std::to_string(call.user->id);
    auto outcome = p.users.checkPassword(call.user->username, endpoint::stringMember(o, "currentPassword"), originOf(call),
                                         store::nowSeconds());
    if (outcome.check != store::Users::PasswordCheck::Ok) {
        p.audit.append(call.actor(), "admin.password-change-refused", subject, "current password wrong, from " + originOf(call));
        throw KakehashiError(ErrorId::InvalidField, "currentPassword: 今のパスワードが違います。もう一度入力してください");
    }
    admission.succeeded();
    if (auto problems = model::passwordProblems(next, call.user->username); !problems.empty()) {
        std::string text;
        for (const auto& problem : problems) text += (text.empty() ? "" : "\n") + problem;
        throw KakehashiError(ErrorId::InvalidField, "newPassword: " + text);
    }
    p.users.setPassword(call.user->id, next);
    p.sessions.closeAllFor(call.user->id);
    p.audit.append(call.actor(), "admin.password-changed", subject, "");
    return jsonReply(200, "{}", {{"Set-Cookie", sessionCookie("", 0)}});
}

HttpReply logout(AuthParts& p, AdminCall& call) {
    p.sessions.close(call.sessionToken);
    p.audit.append(call.actor(), "admin.logout", "user:" + std::to_string(call.user->id), "");
    return jsonReply(200, "{}", {{"Set-Cookie", sessionCookie("", 0)}});
}

}  // namespace

void writeUser(JsonWriter& w, const store::AdminUser& u) {
    w.field("id", u.id)
        .field("username", u.username)
        .field("displayName", u.displayName)
        .field("role", store::roleName(u.role))
        .field("totpEnabled", u.totpEnabled)
        .field("disabled", u.disabled)
        .field("createdAt", isoTime(u.createdAt))
        .field("createdBy", u.createdBy);
}

std::vector<AdminRoute> authRoutes(AuthParts parts) {
    auto p = std::make_shared<AuthParts>(parts);
    return {
        {"GET", "/admin/api/setup", "Whether the first-run setup is still needed", Permission::Public,
         [p](AdminCall&) { return setupStatus(*p); }},
        {"POST", "/admin/api/setup", "First-run setup: {setupCode, username, displayName, password} → the first administrator",
         Permission::Public, [p](AdminCall& c) { return setup(*p, c); }},
        {"POST", "/admin/api/login", "Sign in with user name and password: {username, password}", Permission::Public,
         [p](AdminCall& c) { return login(*p, c); }},
        {"POST", "/admin/api/login/second-factor", "The TOTP code or a recovery code: {code}", Permission::SignedIn,
         [p](AdminCall& c) { return secondFactor(*p, c); }},
        {"POST", "/admin/api/me/second-factor", "Begin TOTP enrolment: a new secret and its QR code", Permission::SignedIn,
         [p](AdminCall& c) { return beginEnrolment(*p, c); }},
        {"POST", "/admin/api/me/second-factor/confirm", "Confirm TOTP enrolment with a code: {code} → recovery codes",
         Permission::SignedIn, [p](AdminCall& c) { return confirmEnrolment(*p, c); }},
        {"POST", "/admin/api/me/password", "Change one's own password: {currentPassword, newPassword}; every session ends",
         Permission::ViewDashboard, [p](AdminCall& c) { return changeOwnPassword(*p, c); }},
        {"GET", "/admin/api/me", "The signed-in user, permissions and the CSRF token", Permission::SignedIn,
         [](AdminCall& c) { return me(c); }},
        {"POST", "/admin/api/logout", "Sign out", Permission::SignedIn, [p](AdminCall& c) { return logout(*p, c); }},
    };
}

}  // namespace kh::admin
