// Tests of HomeReceptionService (マイナ在宅受付Web): the URL is fetched from the central system or set by hand,
// only when it is an http(s) URL with a host and nothing that could break out of the poster's markup; it is
// kept as a versioned setting saying where it came from; the poster carries its QR code and the facility's
// name (the web admin's, else the configuration's), escaped.
#include <catch2/catch.hpp>

#include <vector>

#include "../error_of.hpp"
#include "../temp_dir.hpp"
#include "fake_central.hpp"
#include "services/home_reception.hpp"
#include "store/settings.hpp"

using namespace kh;
using model::ErrorId;
using test::FakeCentral;

namespace {
struct Rig {
    test::TempDir dir;
    store::Store store{dir.path + "/k.db", dir.path + "/keys"};
    store::Settings settings{store};
    FakeCentral central;
    services::HomeReceptionService service{settings, &central, "架け橋クリニック"};
};
}  // namespace

TEST_CASE("no URL until one is fetched or set, and no poster", "[services][home-reception]") {
    Rig rig;
    CHECK_FALSE(rig.service.url());
    CHECK_FALSE(rig.service.poster());
}

TEST_CASE("a URL set by hand is kept with who set it; a later one replaces it, the old one in the history",
          "[services][home-reception]") {
    Rig rig;
    auto first = rig.service.setByHand("https://example.jp/zaitaku/clinic-1", "it-tanaka");
    CHECK(first.url == "https://example.jp/zaitaku/clinic-1");
    CHECK(first.source == "manual");
    CHECK(first.updatedBy == "it-tanaka");
    rig.service.setByHand("https://example.jp/zaitaku/clinic-2", "it-suzuki");
    CHECK(rig.service.url()->url == "https://example.jp/zaitaku/clinic-2");
    CHECK(rig.settings.history("homeReception.url").size() == 2);
}

TEST_CASE("only an https URL with a host and nothing that breaks markup is taken by hand", "[services][home-reception]") {
    Rig rig;
    const std::vector<std::string> refused = {"ftp://example.jp/x", "http://example.jp/zaitaku", "https://", "example.jp/zaitaku", "javascript:alert(1)",
                                              "https://example.jp/a b", "https://example.jp/\"onload=", "https://example.jp/<x>",
                                              "https://example.jp/" + std::string(500, 'a'), ""};
    for (const auto& bad : refused) {
        INFO(bad);
        CHECK(test::errorOf([&] { rig.service.setByHand(bad, "it-tanaka"); }) == ErrorId::InvalidField);
    }
    CHECK_FALSE(rig.service.url());
}

TEST_CASE("the URL fetched from the central system is kept as the central system's", "[services][home-reception]") {
    Rig rig;
    rig.service.setByHand("https://example.jp/by-hand", "it-tanaka");
    rig.central.onUrl = [] { return FakeCentral::Answer<std::string>::of("https://myna.example.jp/reception/1312345679"); };
    auto fetched = rig.service.refreshFromCentral();
    CHECK(fetched.url == "https://myna.example.jp/reception/1312345679");
    CHECK(fetched.source == "central");
    CHECK(rig.service.url()->source == "central");
}

TEST_CASE("a failed fetch says why and keeps the URL there was", "[services][home-reception]") {
    Rig rig;
    rig.service.setByHand("https://example.jp/kept", "it-tanaka");
    CHECK(test::errorOf([&] { rig.service.refreshFromCentral(); }) == ErrorId::UpstreamUnavailable);  // nobody answers
    rig.central.onUrl = [] { return FakeCentral::Answer<std::string>::refused("SIM-U001", "URLが登録されていません"); };
    try {
        rig.service.refreshFromCentral();
        FAIL("a refusal was taken");
    } catch (const model::KakehashiError& e) {
        CHECK(e.id() == ErrorId::UpstreamRejected);
        CHECK(std::string(e.what()).find("SIM-U001") != std::string::npos);
    }
    rig.central.onUrl = [] { return FakeCentral::Answer<std::string>::of("https://example.jp/\"><script>"); };
    CHECK(test::errorOf([&] { rig.service.refreshFromCentral(); }) == ErrorId::InvalidField);
    CHECK(rig.service.url()->url == "https://example.jp/kept");
    CHECK(rig.service.url()->source == "manual");
}

TEST_CASE("without a central client the URL can only be set by hand", "[services][home-reception]") {
    Rig rig;
    services::HomeReceptionService byHand(rig.settings, nullptr, "架け橋クリニック");
    CHECK(test::errorOf([&] { byHand.refreshFromCentral(); }) == ErrorId::UpstreamUnavailable);
    CHECK(byHand.setByHand("https://example.jp/cli", "cli").source == "manual");
}

TEST_CASE("the poster carries the QR code, the URL and the facility's name, escaped", "[services][home-reception]") {
    Rig rig;
    rig.service.setByHand("https://example.jp/zaitaku?clinic=1&lang=ja", "it-tanaka");
    auto poster = rig.service.poster();
    REQUIRE(poster);
    CHECK(poster->find("<svg") != std::string::npos);
    CHECK(poster->find("https://example.jp/zaitaku?clinic=1&amp;lang=ja") != std::string::npos);
    CHECK(poster->find("架け橋クリニック") != std::string::npos);  // the configuration's name
    CHECK(poster->find("マイナ在宅受付Web") != std::string::npos);

    rig.settings.set("facility.name", "<b>架け橋</b> & 在宅", "it-tanaka");  // the web admin's name wins
    poster = rig.service.poster();
    CHECK(poster->find("&lt;b&gt;架け橋&lt;/b&gt; &amp; 在宅") != std::string::npos);
    CHECK(poster->find("<b>架け橋") == std::string::npos);
    CHECK(poster->find("架け橋クリニック") == std::string::npos);
}

TEST_CASE("the poster speaks as the facility: a clinic's 当院, a pharmacy's 薬局, its phone when set",
          "[services][home-reception]") {
    Rig rig;
    rig.service.setByHand("https://example.jp/zaitaku/1", "it-tanaka");
    auto poster = rig.service.poster();
    CHECK(poster->find("当院の職員") != std::string::npos);
    CHECK(poster->find("お問い合わせ") == std::string::npos);
    rig.settings.set("facility.institutionCode", "1341234567", "it-tanaka");  // 点数表 4: a pharmacy
    rig.settings.set("facility.phone", "03-1234-5678", "it-tanaka");
    poster = rig.service.poster();
    CHECK(poster->find("当院") == std::string::npos);
    CHECK(poster->find("薬局の職員") != std::string::npos);
    CHECK(poster->find("服薬指導") != std::string::npos);
    CHECK(poster->find("お問い合わせ：03-1234-5678") != std::string::npos);
}
