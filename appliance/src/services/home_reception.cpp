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

// A URL typed by hand must be https: it is printed for patients, who must not be sent anywhere in clear.
// The central system's own answer is taken as it gives it.
void checkUrl(const std::string& url, bool typedByHand) {
    bool ok = url.size() <= 500 && url.find_first_of(" \t\r\n\"'<>") == std::string::npos;
    try {
        Poco::URI uri(url);
        ok = ok && (uri.getScheme() == "https" || (!typedByHand && uri.getScheme() == "http")) && !uri.getHost().empty();
    } catch (const Poco::Exception&) {
        ok = false;
    }
    if (!ok) throw KakehashiError(ErrorId::InvalidField, "url: https:// で始まる正しいURLを指定してください");
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

// The page fills the A4 sheet (the contact box sits at its foot), and headings and notes wrap in balanced
// lines, so no lone 「す。」 ends up on a line of its own.
const char* kPosterStyle =
    "@page{size:A4;margin:14mm}*{box-sizing:border-box}html,body{margin:0}body{font-family:'Noto Sans CJK JP',"
    "'Hiragino Sans','Yu Gothic',sans-serif;color:#111}main{height:269mm;max-width:182mm;margin:0 auto;display:flex;"
    "flex-direction:column;align-items:center;text-align:center}h1,.lead,.note,li{text-wrap:balance;"
    "line-break:strict}h1{font-size:27pt;line-height:1.35;margin:4mm 0 3mm}.lead{font-size:16pt;line-height:1.5;"
    "margin:0 0 5mm}.qr svg{width:92mm;height:92mm}.url{font-family:monospace;font-size:11pt;word-break:break-all;"
    "margin:1mm 0 6mm}ol{text-align:left;font-size:15pt;line-height:1.75;margin:0;padding-left:9mm;max-width:160mm}"
    ".note{font-size:12.5pt;line-height:1.6;margin:6mm 0 0;border:1px solid #999;padding:3mm 5mm;max-width:160mm}"
    "footer{margin-top:auto;width:100%;border-top:2px solid #111;padding-top:4mm;font-size:18pt;font-weight:bold}"
    "footer .contact{display:block;font-size:14pt;font-weight:normal;margin-top:2mm}";

// 点数表 (the institution code's third digit): 4 is a pharmacy, whose patients come for 服薬指導.
bool isPharmacy(const std::string& institutionCode) { return institutionCode.size() == 10 && institutionCode[2] == '4'; }
}  // namespace

HomeReceptionService::HomeReceptionService(store::Settings& settings, upstream::CentralClient* central,
                                           std::string facilityName, std::string institutionCode)
    : settings_(settings),
      central_(central),
      facilityName_(std::move(facilityName)),
      institutionCode_(std::move(institutionCode)) {}

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
    checkUrl(url, false);
    settings_.set(kUrlKey, url, "central");
    settings_.set(kSourceKey, "central", "central");
    log::info("home_reception.url_fetched");
    return *this->url();
}

HomeReceptionUrl HomeReceptionService::setByHand(const std::string& url, const std::string& by) {
    checkUrl(url, true);
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
    auto setting = [&](const char* key, const std::string& fallback) {
        auto v = settings_.get(key);  // set in the web admin; the configuration file otherwise
        return v && !v->value.empty() ? v->value : fallback;
    };
    const std::string facility = escapeHtml(setting("facility.name", facilityName_));
    const std::string phone = escapeHtml(setting("facility.phone", ""));
    const bool pharmacy = isPharmacy(setting("facility.institutionCode", institutionCode_));
    const std::string heading = pharmacy ? "オンライン服薬指導・<wbr>訪問薬剤管理指導を受ける方へ" : "オンライン診療・<wbr>訪問診療を受ける方へ";
    const std::string ourStaff = pharmacy ? "薬局の職員" : "当院の職員";
    const std::string visit = pharmacy ? "服薬指導" : "受診";
    return "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>" + facility +
           "｜マイナ在宅受付Web</title><style>" + kPosterStyle + "</style></head><body><main>"
           "<h1>" + heading + "</h1>"
           "<p class=\"lead\">" + visit + "の前に、マイナ在宅受付Webで<wbr>資格確認と情報提供の同意をお願いします。</p>"
           "<div class=\"qr\">" + qrSvg(u->url, qr) + "</div>"
           "<p class=\"url\">" + escapeHtml(u->url) + "</p>"
           "<ol><li>スマートフォンでQRコードを読み取ります（または上のURLを開きます）。</li>"
           "<li>提供に同意する情報（薬剤情報・診療情報・特定健診等情報）を選びます。</li>"
           "<li>マイナンバーカードの暗証番号（数字4桁）を入力します。</li>"
           "<li>マイナンバーカードをスマートフォンにかざします。</li></ol>"
           "<p class=\"note\">同意は" + visit + "の日まで有効です。<wbr>暗証番号を" + ourStaff + "に伝える必要はありません。</p>"
           "<footer>" + facility +
           (phone.empty() ? std::string() : "<span class=\"contact\">お問い合わせ：" + phone + "</span>") +
           "</footer></main></body></html>";
}

}  // namespace kh::services
