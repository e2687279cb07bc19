// The institution's マイナ在宅受付Web URL (居宅同意取得型): fetched from the central system
// (医療機関等別URL取得) or set by hand, kept as a versioned setting, and offered as a QR code (PNG, SVG)
// and a printable A4 poster for the waiting room and the clinic's website.
#pragma once
#include <optional>
#include <string>

#include "services/qr_code.hpp"
#include "store/settings.hpp"
#include "upstream/central_client.hpp"

namespace kh::services {

struct HomeReceptionUrl {
    std::string url;
    std::string source;  // central | manual
    int64_t updatedAt = 0;
    std::string updatedBy;
};

class HomeReceptionService {
public:
    // `central` null: the URL can only be set by hand (the CLI).
    // `institutionCode` (the configuration's; the web admin's setting wins) tells a pharmacy (点数表 4) from a
    // clinic, for the poster's wording.
    HomeReceptionService(store::Settings& settings, upstream::CentralClient* central, std::string facilityName,
                         std::string institutionCode = "");
    std::optional<HomeReceptionUrl> url();
    // Throws KakehashiError (UpstreamUnavailable, UpstreamRejected) with the reason.
    HomeReceptionUrl refreshFromCentral();
    // Throws KakehashiError(InvalidField) unless the URL is https with a host and no spaces: it is printed for
    // patients, who must not be sent anywhere in clear (the central system's own URL is taken as given).
    HomeReceptionUrl setByHand(const std::string& url, const std::string& by);
    // A4 poster in Japanese (HTML with the QR inline as SVG), with the facility's name and, when set
    // (facility.phone), its telephone number; nullopt while no URL is known.
    std::optional<std::string> poster();

private:
    store::Settings& settings_;
    upstream::CentralClient* central_;
    std::string facilityName_;
    std::string institutionCode_;
};

}  // namespace kh::services
