#include "endpoint/staff_sign_in.hpp"

#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "endpoint/json_request.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"
#include "store/sign_in_origin.hpp"

namespace kh::endpoint {
namespace {
using base::JsonWriter;
using model::ErrorId;
using model::KakehashiError;

std::string cookie(const std::string& token, int maxAgeSeconds) {
    return std::string(kStaffSessionCookie) + "=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
           std::to_string(maxAgeSeconds);
}

bool mayCheckCards(const store::AdminUser& u) {
    return !u.disabled && (u.role == store::Role::Operator || u.role == store::Role::Administrator);
}

const Schema& signInSchema() {
    static const Schema s{"StaffSignIn", R"({"type":"object","required":["username","password","code"],"properties":{
        "username":{"type":"string","description":"ユーザー名（管理画面と同じアカウント。職員または管理者）"},
        "password":{"type":"string","format":"password"},
        "code":{"type":"string","description":"認証アプリの6桁の確認コード、または回復コード"}}})", {}};
    return s;
}

const Schema& staffSessionSchema() {
    static const Schema s{"StaffSession", closedObject(R"(
        "signedIn":{"type":"boolean","description":"false: この端末ではだれもサインインしていない（ほかの項目なし）"},
        "staff":)" + closedObject(R"("username":{"type":"string"},"displayName":{"type":"string"},
            "role":{"type":"string","enum":["administrator","operator"]})", R"("username","displayName","role")") + R"(,
        "csrfToken":{"type":"string","description":"GET 以外の要求の X-CSRF-Token に付ける値"},
        "expiresAt":{"type":"string","format":"date-time","description":"このセッションの終わり（日本時間）"})",
                                                         R"("signedIn")"), {}};
    return s;
}

const Schema& signedOutSchema() {
    static const Schema s{"StaffSignedOut", closedObject(R"("signedOut":{"type":"boolean"})", R"("signedOut")"), {}};
    return s;
}

std::string subjectOf(int64_t userId) { return "user:" + std::to_string(userId); }

HttpReply sessionReply(int status, const store::AdminUser& user, const store::AdminSession& session,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
    JsonWriter w;
    w.beginObject()
        .field("signedIn", true)
        .object("staff")
        .field("username", user.username)
        .field("displayName", user.displayName.empty() ? user.username : user.displayName)
        .field("role", store::roleName(user.role))
        .endObject()
        .field("csrfToken", session.csrfToken)
        .field("expiresAt", model::japanIso8601(model::fromUnixSeconds(session.expiresAt)))
        .endObject();
    return jsonReply(status, w.take(), std::move(headers));
}

HttpReply tooManyAttempts(const store::SignInThrottle::Admission& refused) {
    std::string seconds = std::to_string(refused.retryAfter().count());
    auto reply = problemReply(ErrorId::TooManyAttempts, seconds + " 秒ほど待ってから、もう一度サインインしてください");
    reply.headers.emplace_back("Retry-After", seconds);
    return reply;
}

// Password, then the second factor, in one request: the tablet is shared and a half-signed-in session would
// only be one more thing to forget on it.
HttpReply signIn(StaffAccess& a, HttpCall& call) {
    const std::string origin = store::signInOrigin(call.remoteAddress);
    auto admission = a.throttle.admit(origin, store::SignInThrottle::Clock::now());
    if (!admission) return tooManyAttempts(admission);
    auto o = jsonObject(call.body);
    std::string username = stringMember(o, "username"), password = stringMember(o, "password");
    const int64_t now = store::nowSeconds();
    auto outcome = a.users.checkPassword(username, password, origin, now);
    crypto::secureZero(password);
    if (outcome.check != store::Users::PasswordCheck::Ok) {
        a.audit.append(username.empty() ? "anonymous" : username.substr(0, 32), "staff.sign-in-refused", "staff-page",
                       "パスワードが違うか、使えないアカウント（接続元 " + origin + "）");
        throw KakehashiError(ErrorId::SignInFailed, "");
    }
    const store::AdminUser user = *outcome.user;
    if (!mayCheckCards(user))
        throw KakehashiError(ErrorId::Forbidden, "このアカウント（監査担当）では本人確認を行えません。職員または管理者のアカウントでサインインしてください");
    if (!user.totpEnabled)
        throw KakehashiError(ErrorId::Forbidden, "このアカウントは二段階認証がまだ設定されていません。先に管理画面に一度サインインして設定してください");
    auto second = a.users.checkSecondFactor(user.id, stringMember(o, "code"), origin, now);
    if (second.check == store::Users::SecondFactorCheck::Locked) {
        a.audit.append(user.username, "staff.sign-in-refused", subjectOf(user.id), "確認コードの失敗が続いたためロック中");
        throw KakehashiError(ErrorId::AccountLocked, "");
    }
    if (second.check != store::Users::SecondFactorCheck::Accepted) {
        a.audit.append(user.username, "staff.sign-in-refused", subjectOf(user.id), "確認コードが違う");
        throw KakehashiError(ErrorId::SecondFactorWrong, "認証アプリに表示されている6桁の確認コードを入力してください");
    }
    admission.succeeded();
    auto [token, session] = a.sessions.open(user.id, true, call.remoteAddress, now);
    a.audit.append(user.username, "staff.sign-in", subjectOf(user.id), "職員画面（パスワードと確認コード）");
    log::info("staff.signed_in", {{"user", std::to_string(user.id)}});
    return sessionReply(200, user, session, {{"Set-Cookie", cookie(token, a.shiftSeconds)}});
}

// Not signed in is an ordinary answer here, not a 401: the page asks this first thing on every load.
HttpReply me(StaffAccess& a, HttpCall& call) {
    bool has = false;
    auto refused = admitStaff(a, call, has);
    std::optional<store::AdminSession> session;
    std::optional<store::AdminUser> user;
    if (has && !refused) {
        session = a.sessions.touch(call.cookie(kStaffSessionCookie), store::nowSeconds());
        user = a.users.get(staffOf(call)->userId);
    }
    if (!session || !user) return jsonReply(200, JsonWriter().beginObject().field("signedIn", false).endObject().take());
    return sessionReply(200, *user, *session);
}

HttpReply signOut(StaffAccess& a, HttpCall& call) {
    bool has = false;
    if (auto refused = admitStaff(a, call, has)) return *refused;
    if (has) {
        a.sessions.close(call.cookie(kStaffSessionCookie));
        a.audit.append(staffOf(call)->username, "staff.sign-out", subjectOf(staffOf(call)->userId), "職員画面");
    }
    return jsonReply(200, JsonWriter().beginObject().field("signedOut", true).endObject().take(),
                     {{"Set-Cookie", cookie("", 0)}});
}
}  // namespace

const StaffMember* staffOf(const HttpCall& call) { return std::any_cast<StaffMember>(&call.context); }

std::optional<HttpReply> admitStaff(StaffAccess& a, HttpCall& call, bool& hasSession) {
    const std::string token = call.cookie(kStaffSessionCookie);
    hasSession = !token.empty();
    if (!hasSession) return std::nullopt;
    auto unauthorized = [] {
        return problemReply(ErrorId::Unauthorized, "サインインの有効期限が切れました。もう一度サインインしてください");
    };
    auto session = a.sessions.touch(token, store::nowSeconds());
    if (!session || !session->secondFactorPassed) return unauthorized();
    auto user = a.users.get(session->userId);
    if (!user || !mayCheckCards(*user)) {
        a.sessions.close(token);
        return unauthorized();
    }
    // A cookie goes with every request to this host, a form from another site's page included: a change
    // must also show the token only this box's own page was given.
    if (call.method != "GET" && call.header("x-csrf-token") != session->csrfToken)
        return problemReply(ErrorId::Forbidden, "画面を読み込み直してから、もう一度操作してください");
    call.caller = "staff:" + user->username;
    call.context = StaffMember{user->id, user->username, user->displayName.empty() ? user->username : user->displayName};
    return std::nullopt;
}

std::vector<Route> staffSignInRoutes(StaffAccess& access) {
    StaffAccess* a = &access;
    Route in = Route{"POST", "/api/v1/staff/sign-in",
                     "Sign a staff member in on the staff page: {username, password, code} → a session cookie for a shift",
                     Access::Public, [a](HttpCall& call) { return signIn(*a, call); }}
                   .with(ApiContract("staffSignIn", "staff")
                             .takes(signInSchema())
                             .gives(200, "サインインしました（Set-Cookie にセッション）", staffSessionSchema(),
                                    {"application/json"}, {{"Set-Cookie", "kakehashi_staff（HttpOnly, Secure, SameSite=Strict）"}})
                             .refuses({ErrorId::MalformedJson, ErrorId::SignInFailed, ErrorId::SecondFactorWrong,
                                       ErrorId::AccountLocked, ErrorId::TooManyAttempts, ErrorId::Forbidden}));
    in.secretBody = true;  // a password: never journalled, wiped after
    return {
        std::move(in),
        Route{"GET", "/api/v1/staff/me", "The signed-in staff member and the session's CSRF token", Access::Public,
              [a](HttpCall& call) { return me(*a, call); }}
            .with(ApiContract("staffSession", "staff")
                      .gives(200, "サインイン中の職員（いなければ signedIn: false）", staffSessionSchema())),
        Route{"POST", "/api/v1/staff/sign-out", "End the staff member's session on this device", Access::Public,
              [a](HttpCall& call) { return signOut(*a, call); }}
            .with(ApiContract("staffSignOut", "staff")
                      .gives(200, "サインアウトしました", signedOutSchema())
                      .refuses({ErrorId::Forbidden})),
    };
}

}  // namespace kh::endpoint
