#include <catch2/catch.hpp>

#include "upstream/link_health.hpp"

using namespace kh::upstream;
using State = LinkReport::State;

TEST_CASE("a link is unknown until something came back over it, never up by default", "[upstream]") {
    LinkHealth h;
    auto r = h.report();
    CHECK(r.state == State::Unknown);
    CHECK(r.lastSuccessAt == 0);
    CHECK(h.quietSeconds() > 1000000);
    h.failed(h.epoch(), "接続を拒否されました");
    r = h.report();
    CHECK(r.state == State::Down);
    CHECK(r.lastFailure == "接続を拒否されました");
    CHECK(r.lastFailureAt > 0);
    CHECK(h.quietSeconds() <= 1);
    h.succeeded(h.epoch());
    r = h.report();
    CHECK(r.state == State::Up);
    CHECK(r.lastSuccessAt > 0);
    CHECK(r.lastFailure == "接続を拒否されました");  // the last failure's reason stays to be read
}

TEST_CASE("after a change only an exchange begun under the new configuration proves it", "[upstream]") {
    LinkHealth h;
    h.succeeded(h.epoch());
    const uint64_t before = h.epoch();
    int wakes = 0;
    h.onProbeWanted([&] { ++wakes; });
    h.changed();
    CHECK(wakes == 1);  // a probe is asked for at once
    auto r = h.report();
    CHECK(r.state == State::Unknown);
    CHECK_FALSE(r.verifiedSinceChange);
    CHECK(r.changedAt > 0);
    h.succeeded(before);  // an answer that was under way with the old certificate
    CHECK_FALSE(h.report().verifiedSinceChange);
    CHECK(h.report().state == State::Unknown);
    h.failed(before, "old");
    CHECK(h.report().state == State::Unknown);
    h.failed(h.epoch(), "中央システムのサーバー証明書を確認できませんでした");
    CHECK(h.report().state == State::Down);
    CHECK_FALSE(h.report().verifiedSinceChange);
    h.succeeded(h.epoch());
    CHECK(h.report().verifiedSinceChange);
    CHECK(h.report().state == State::Up);
}

TEST_CASE("the state names are the API's words", "[upstream]") {
    CHECK(std::string(linkStateName(State::Up)) == "up");
    CHECK(std::string(linkStateName(State::Down)) == "down");
    CHECK(std::string(linkStateName(State::Unknown)) == "unknown");
}
