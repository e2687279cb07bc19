#include "admin/dashboard_routes.hpp"


#include "base/files.hpp"
#include "base/json_writer.hpp"
#include "crypto/x509.hpp"
#include "model/japan_date.hpp"
#include "store/store.hpp"

namespace kh::admin {
namespace {
using endpoint::HttpReply;
using base::JsonWriter;

void writeCertificates(JsonWriter& w, const std::vector<CertificateFact>& certs, int64_t now) {
    w.beginArray("certificates");
    for (const auto& c : certs) {
        if (c.file.empty()) continue;
        auto info = crypto::readCertificatePem(base::tryReadFile(c.file).value_or(""));
        w.beginObject().field("name", c.name);
        if (info) {
            w.field("subject", info->subject)
                .field("notAfter", model::japanIso8601(model::fromUnixSeconds(info->notAfter)))
                .field("daysLeft", (info->notAfter - now) / 86400)
                .field("warning", int64_t(expiryWarning(info->notAfter, now)));
        } else {
            w.field("problem", "読み取れません (cannot be read)");
        }
        w.endObject();
    }
    w.endArray();
}

std::string japanTime(int64_t unixSeconds) {
    return unixSeconds ? model::japanIso8601(model::fromUnixSeconds(unixSeconds)) : "";
}

void writeLink(JsonWriter& w, const std::string& profile, const upstream::LinkReport& r) {
    w.object("link")
        .field("profile", profile)
        .field("state", upstream::linkStateName(r.state))
        .field("lastSuccessAt", japanTime(r.lastSuccessAt))
        .field("lastFailureAt", japanTime(r.lastFailureAt))
        .field("lastFailure", r.lastFailure)
        .endObject();
}

HttpReply dashboard(const DashboardFacts& f) {
    int64_t now = store::nowSeconds();
    int64_t dayStart = model::japanDayStart(model::JapanDate::today());
    int64_t hits = f.cacheHits(), live = f.liveAnswers(), stale = f.staleAnswers();
    int64_t answered = hits + live + stale;
    const upstream::LinkReport link = f.link();
    JsonWriter w;
    w.beginObject()
        .field("at", model::japanIso8601(model::fromUnixSeconds(now)))
        .field("upstreamLinkUp", link.state == upstream::LinkReport::State::Up);
    writeLink(w, f.upstreamProfile, link);
    w.field("queueDepth", f.queueDepth())
        .object("cache")
        .field("hits", hits)
        .field("live", live)
        .field("stale", stale)
        .field("hitRatePercent", answered ? hits * 100 / answered : 0)
        .endObject()
        .field("requestsToday", f.requestsSince(dayStart))
        .field("errorsToday", f.errorsSince(dayStart))
        .field("visitsOutsideConsent", f.visitsFlagged())
        .object("cardReaders")
        .field("serviceUp", f.cardServiceUp())
        .field("readers", f.cardReaders())
        .endObject();
    writeCertificates(w, f.certificates(), now);
    w.beginArray("setupPending");
    for (const auto& p : f.setupPending()) w.beginObject().field("problem", p).endObject();
    w.endArray();
    w.endObject();
    return {200, "application/json", w.take(), {}};
}

}  // namespace

int expiryWarning(int64_t notAfter, int64_t now) {
    int64_t days = (notAfter - now) / 86400;
    if (notAfter <= now) return -1;
    for (int threshold : {7, 30, 60})
        if (days < threshold) return threshold;
    return 0;
}

std::vector<AdminRoute> dashboardRoutes(DashboardFacts facts) {
    return {
        {"GET", "/admin/api/dashboard", "Link, queue, cache, today's requests and errors, certificates, readers, visits",
         Permission::ViewDashboard, [facts](AdminCall&) { return dashboard(facts); }},
    };
}

}  // namespace kh::admin
