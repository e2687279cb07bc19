#include "admin/admin_api.hpp"

#include <algorithm>
#include <memory>

#include "admin/audit_routes.hpp"
#include "admin/plugin_routes.hpp"
#include "admin/settings_routes.hpp"
#include "admin/user_routes.hpp"
#include "base/json_writer.hpp"
#include "endpoint/card_check_routes.hpp"
#include "endpoint/json_request.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"
#include "services/qr_code.hpp"
#include "store/store.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using endpoint::jsonReply;
using base::JsonWriter;
using model::ErrorId;
using model::KakehashiError;


HttpReply homeReceptionView(services::HomeReceptionService& s) {
    JsonWriter w;
    w.beginObject();
    if (auto url = s.url()) {
        w.field("url", url->url)
            .field("source", url->source)
            .field("updatedAt", model::japanIso8601(model::fromUnixSeconds(url->updatedAt)))
            .field("updatedBy", url->updatedBy)
            .field("qrSvg", services::qrSvg(url->url, services::QrOptions{}));
    }
    w.endObject();
    return jsonReply(200, w.take());
}

std::vector<AdminRoute> homeReceptionRoutes(services::HomeReceptionService& s, store::AuditLog& audit) {
    return {
        {"GET", "/admin/api/home-reception", "The マイナ在宅受付Web URL and its QR code", Permission::ViewDashboard,
         [&s](AdminCall&) { return homeReceptionView(s); }},
        {"PUT", "/admin/api/home-reception/url", "Set the URL by hand: {url}", Permission::ManageSettings,
         [&s, &audit](AdminCall& call) {
             s.setByHand(endpoint::stringMember(endpoint::jsonObject(call.http.body), "url"), call.actor());
             audit.append(call.actor(), "admin.home-reception-url-set", "home-reception", "manual");
             return homeReceptionView(s);
         }},
        {"POST", "/admin/api/home-reception/url/refresh", "Fetch the URL from the central system again",
         Permission::ManageSettings, [&s, &audit](AdminCall& call) {
             s.refreshFromCentral();
             audit.append(call.actor(), "admin.home-reception-url-set", "home-reception", "central");
             return homeReceptionView(s);
         }},
        {"GET", "/admin/api/home-reception/poster", "The A4 poster for the waiting room", Permission::ViewDashboard,
         [&s](AdminCall&) {
             auto html = s.poster();
             if (!html) throw KakehashiError(ErrorId::NotFound, "no URL yet");
             return HttpReply{200, "text/html; charset=utf-8", *html,
                              {{"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"}}};
         }},
    };
}

std::vector<AdminRoute> pendingChangeRoutes(PendingChanges& pending) {
    auto list = [&pending] {
        JsonWriter w;
        w.beginObject().beginArray("pendingChanges");
        int64_t now = store::nowSeconds();
        for (const auto& c : pending.list())
            w.beginObject()
                .field("id", c.id)
                .field("what", c.what)
                .field("actor", c.actor)
                .field("deadline", model::japanIso8601(model::fromUnixSeconds(c.deadline)))
                .field("secondsLeft", std::max<int64_t>(0, c.deadline - now))
                .field("proven", c.unproven.empty())
                .field("unproven", c.unproven)
                .endObject();
        w.endArray().endObject();
        return jsonReply(200, w.take());
    };
    auto decide = [&pending, list](bool keep) {
        return [&pending, list, keep](AdminCall& call) {
            const std::string& id = call.http.params["id"];
            bool found = keep ? pending.confirm(id, call.actor()) : pending.revert(id, call.actor());
            if (!found) throw KakehashiError(ErrorId::NotFound, "その変更はもうありません（確定・取り消し済みか、期限切れで元に戻っています）");
            return list();
        };
    };
    return {
        {"GET", "/admin/api/pending-changes", "Changes in use but not yet confirmed, with their deadline",
         Permission::ManageSettings, [list](AdminCall&) { return list(); }},
        {"POST", "/admin/api/pending-changes/{id}/confirm", "Keep a change (before its deadline)", Permission::ManageSettings,
         decide(true)},
        {"POST", "/admin/api/pending-changes/{id}/revert", "Go back now", Permission::ManageSettings, decide(false)},
    };
}

AdminRoute routeList(std::shared_ptr<std::vector<AdminRoute>> table) {
    // Signed-in staff only: the table is a map of the box for whoever reads it.
    return {"GET", "/admin/api/routes", "This table: every admin route with its permission", Permission::ViewDashboard,
            [table](AdminCall&) {
                JsonWriter w;
                w.beginObject().beginArray("routes");
                for (const auto& r : *table)
                    w.beginObject()
                        .field("method", r.method)
                        .field("path", r.pattern)
                        .field("summary", r.summary)
                        .field("permission", permissionName(r.permission))
                        .field("csrf", needsCsrf(r))
                        .endObject();
                w.endArray().endObject();
                return jsonReply(200, w.take());
            }};
}

void append(std::vector<AdminRoute>& to, std::vector<AdminRoute> more) {
    for (auto& r : more) to.push_back(std::move(r));
}

}  // namespace

std::vector<AdminRoute> buildAdminRoutes(AdminParts p) {
    auto table = std::make_shared<std::vector<AdminRoute>>();
    append(*table, authRoutes(p.auth));
    append(*table, userRoutes(p.auth.users, p.auth.sessions, p.auth.audit));
    append(*table, auditRoutes(p.auth.audit));
    append(*table, dashboardRoutes(p.dashboard));
    append(*table, settingsRoutes(p.settings, p.auth.audit, p.runningSettings, p.applyNow));
    if (p.homeReception) append(*table, homeReceptionRoutes(*p.homeReception, p.auth.audit));
    if (p.plugins && p.pluginChannel && p.dataKey)
        append(*table, pluginRoutes({*p.plugins, *p.pluginChannel, p.settings, *p.dataKey, p.auth.audit}));
    if (p.cardChecks) {
        auto* cards = p.cardChecks;
        table->push_back({"GET", "/admin/api/readers", "Card readers and their cards", Permission::ViewDashboard,
                          [cards](AdminCall&) { return endpoint::readersReply(cards->readers()); }});
    }
    if (p.pendingChanges) append(*table, pendingChangeRoutes(*p.pendingChanges));
    append(*table, std::move(p.more));
    table->push_back(routeList(table));
    return *table;
}

}  // namespace kh::admin
