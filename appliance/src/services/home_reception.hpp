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
    HomeReceptionService(store::Settings& settings, upstream::CentralClient* central, std::string facilityName);
    std::optional<HomeReceptionUrl> url();
    // Throws KakehashiError (UpstreamUnavailable, UpstreamRejected) with the reason.
    HomeReceptionUrl refreshFromCentral();
    // Throws KakehashiError(InvalidField) unless the URL is http(s) with a host and no spaces.
    HomeReceptionUrl setByHand(const std::string& url, const std::string& by);
    // A4 poster in Japanese (HTML with the QR inline as SVG); nullopt while no URL is known.
    std::optional<std::string> poster();

private:
    store::Settings& settings_;
    upstream::CentralClient* central_;
    std::string facilityName_;
};

}  // namespace kh::services
