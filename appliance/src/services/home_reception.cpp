#include "services/home_reception.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include "base/log.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"

namespace kh::services {
namespace {
using model::ErrorId;
using model::KakehashiError;

constexpr const char* kUrlKey = "homeReception.url";
constexpr const char* kSourceKey = "homeReception.source";

void checkUrl(const std::string& url) {
    bool ok = url.size() <= 500 && url.find_first_of(" \t\r\n\"'<>") == std::string::npos;
    try {
        Poco::URI uri(url);
        ok = ok && (uri.getScheme() == "https" || uri.getScheme() == "http") && !uri.getHost().empty();
    } catch (const Poco::Exception&) {
        ok = false;
    }
    if (!ok) throw KakehashiError(ErrorId::InvalidField, "url: https:// で始まる正しいURLを指定してください (a valid http(s) URL)");
}

std::string escapeHtml(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

const char* kPosterStyle =
    "@page{size:A4;margin:15mm}body{font-family:'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif;"
    "color:#111;margin:0}main{max-width:180mm;margin:0 auto;text-align:center}h1{font-size:26pt;margin:8mm 0 2mm}"
    ".lead{font-size:15pt;margin:0 0 6mm}.qr svg{width:80mm;height:80mm}.url{font-family:monospace;font-size:11pt;"
    "word-break:break-all;margin:2mm 0 8mm}ol{text-align:left;font-size:15pt;line-height:1.7;margin:0 auto;"
    "max-width:150mm}.note{font-size:12pt;margin-top:8mm;border:1px solid #999;padding:3mm}"
    "footer{margin-top:8mm;font-size:16pt;font-weight:bold}";
}  // namespace

HomeReceptionService::HomeReceptionService(store::Settings& settings, upstream::CentralClient* central,
                                           std::string facilityName)
    : settings_(settings), central_(central), facilityName_(std::move(facilityName)) {}

std::optional<HomeReceptionUrl> HomeReceptionService::url() {
    auto url = settings_.get(kUrlKey);
    if (!url) return std::nullopt;
    auto source = settings_.get(kSourceKey);
    return HomeReceptionUrl{url->value, source ? source->value : "manual", url->updatedAt, url->updatedBy};
}

HomeReceptionUrl HomeReceptionService::refreshFromCentral() {
    if (!central_) throw KakehashiError(ErrorId::UpstreamUnavailable, "");
    auto fetched = central_->homeReceptionUrl();
    if (!fetched.ok()) {
        const auto& f = fetched.failure;
        if (f.kind == upstream::Failure::Kind::Unreachable) throw KakehashiError(ErrorId::UpstreamUnavailable, f.message);
        throw KakehashiError(ErrorId::UpstreamRejected, f.code.empty() ? f.message : f.code + " " + f.message);
    }
    const std::string url = *fetched.answer;
    checkUrl(url);
    settings_.set(kUrlKey, url, "central");
    settings_.set(kSourceKey, "central", "central");
    log::info("home_reception.url_fetched");
    return *this->url();
}

HomeReceptionUrl HomeReceptionService::setByHand(const std::string& url, const std::string& by) {
    checkUrl(url);
    settings_.set(kUrlKey, url, by);
    settings_.set(kSourceKey, "manual", by);
    log::info("home_reception.url_set", {{"by", by}});
    return *this->url();
}

std::optional<std::string> HomeReceptionService::poster() {
    auto u = url();
    if (!u) return std::nullopt;
    QrOptions qr;
    qr.level = QrErrorCorrection::Q;  // printed and photographed: more correction survives glare and creases
    auto named = settings_.get("facility.name");  // set in the web admin; the configuration file otherwise
    std::string facility = escapeHtml(named && !named->value.empty() ? named->value : facilityName_);
    return "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>" + facility +
           "｜マイナ在宅受付Web</title><style>" + kPosterStyle + "</style></head><body><main>"
           "<h1>オンライン診療・訪問診療を受ける方へ</h1>"
           "<p class=\"lead\">受診の前に、マイナ在宅受付Webで資格確認と情報提供の同意をお願いします。</p>"
           "<div class=\"qr\">" + qrSvg(u->url, qr) + "</div>"
           "<p class=\"url\">" + escapeHtml(u->url) + "</p>"
           "<ol><li>スマートフォンでQRコードを読み取ります（または上のURLを開きます）。</li>"
           "<li>提供に同意する情報（薬剤情報・診療情報・特定健診等情報）を選びます。</li>"
           "<li>マイナンバーカードの暗証番号（数字4桁）を入力します。</li>"
           "<li>マイナンバーカードをスマートフォンにかざします。</li></ol>"
           "<p class=\"note\">同意は受診日まで有効です。暗証番号を当院の職員に伝える必要はありません。</p>"
           "<footer>" + facility + "</footer></main></body></html>";
}

}  // namespace kh::services
