#include "endpoint/home_reception_routes.hpp"

#include "base/json_writer.hpp"
#include "endpoint/http_api.hpp"

namespace kh::endpoint {
using base::JsonWriter;
namespace {
using model::ErrorId;

// What urlReply writes.
const Schema& homeReceptionUrlSchema() {
    static const Schema s{"HomeReceptionUrl", closedObject(R"(
        "url":{"type":"string","description":"マイナ在宅受付WebのURL"},
        "source":{"type":"string","description":"central 中央から取得 / manual 手動設定"},
        "updatedAt":{"type":"string","format":"date-time"},
        "updatedBy":{"type":"string"})", R"("url","source","updatedAt","updatedBy")"), {}};
    return s;
}

HttpReply urlReply(const services::HomeReceptionUrl& u) {
    JsonWriter w;
    w.beginObject()
        .field("url", u.url)
        .field("source", u.source)
        .field("updatedAt", model::japanIso8601(model::fromUnixSeconds(u.updatedAt)))
        .field("updatedBy", u.updatedBy)
        .endObject();
    return {200, "application/json", w.take(), {}};
}

HttpReply notYet() {
    return problemReply(ErrorId::NotFound,
                        "マイナ在宅受付WebのURLがまだありません。取得するか手動で設定してください (no URL yet: fetch or set it)");
}

// ?ec=L|M|Q|H&size=1..40&margin=0..16
services::QrOptions qrOptions(HttpCall& call) {
    services::QrOptions o;
    if (call.query.count("ec") && !services::parseErrorCorrection(call.query["ec"], o.level))
        throw model::KakehashiError(ErrorId::InvalidField, "ec: L, M, Q or H");
    try {
        if (call.query.count("size")) o.moduleSize = std::stoi(call.query["size"]);
        if (call.query.count("margin")) o.margin = std::stoi(call.query["margin"]);
    } catch (const std::exception&) {
        throw model::KakehashiError(ErrorId::InvalidField, "size and margin are numbers");
    }
    if (o.moduleSize < 1 || o.moduleSize > 40 || o.margin < 0 || o.margin > 16)
        throw model::KakehashiError(ErrorId::InvalidField, "size: 1..40, margin: 0..16");
    return o;
}

Route qrRoute(services::HomeReceptionService& s, const char* path, const char* type,
              std::string (*draw)(const std::string&, const services::QrOptions&)) {
    std::string name = std::string(path).find(".png") != std::string::npos ? "getHomeReceptionQrPng" : "getHomeReceptionQrSvg";
    return Route{"GET", path, std::string("QR code of the マイナ在宅受付Web URL (") + type + "; ?ec=&size=&margin=)",
                 Access::Public, [&s, type, draw](HttpCall& call) {
                     auto u = s.url();
                     if (!u) return notYet();
                     return HttpReply{200, type, draw(u->url, qrOptions(call)), {{"Cache-Control", "no-cache"}}};
                 }}
        .with(ApiContract(name, "home-reception")
                  .query("ec", "誤り訂正レベル", R"({"type":"string","enum":["L","M","Q","H"]})")
                  .query("size", "1モジュールの大きさ", R"({"type":"integer","minimum":1,"maximum":40})")
                  .query("margin", "余白（モジュール数）", R"({"type":"integer","minimum":0,"maximum":16})")
                  .gives(200, "QRコード", std::string(type) == "image/png" ? binarySchema() : textSchema(), {type})
                  .refuses({ErrorId::NotFound, ErrorId::InvalidField}));
}
}  // namespace

std::vector<Route> homeReceptionRoutes(services::HomeReceptionService& s) {
    return {
        Route{"GET", "/api/v1/home-reception/url", "The institution's マイナ在宅受付Web URL", Access::Public,
         [&s](HttpCall&) {
             auto u = s.url();
             return u ? urlReply(*u) : notYet();
         }}
            .with(ApiContract("getHomeReceptionUrl", "home-reception")
                      .gives(200, "URL", homeReceptionUrlSchema())
                      .refuses({ErrorId::NotFound})),
        Route{"POST", "/api/v1/home-reception/url/refresh", "Fetch the URL from the central system (医療機関等別URL取得)",
         Access::ApiClient, [&s](HttpCall&) { return urlReply(s.refreshFromCentral()); }}
            .with(ApiContract("refreshHomeReceptionUrl", "home-reception")
                      .gives(200, "取得したURL", homeReceptionUrlSchema())
                      .refuses({ErrorId::UpstreamUnavailable, ErrorId::UpstreamRejected})),
        qrRoute(s, "/api/v1/home-reception/qr.png", "image/png", &services::qrPng),
        qrRoute(s, "/api/v1/home-reception/qr.svg", "image/svg+xml", &services::qrSvg),
        Route{"GET", "/api/v1/home-reception/poster", "A4 poster in Japanese for the waiting room", Access::Public,
         [&s](HttpCall&) {
             auto html = s.poster();
             if (!html) return notYet();
             return HttpReply{200, "text/html; charset=utf-8", *html,
                              {{"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"}}};
         }}
            .with(ApiContract("getHomeReceptionPoster", "home-reception")
                      .gives(200, "印刷用ポスター（A4、HTML）", textSchema(), {"text/html"})
                      .refuses({ErrorId::NotFound})),
    };
}

}  // namespace kh::endpoint
