// Tests of LuaAdapter end to end: the echo fixture decodes "insurer,number,birth[,id]" lines and encodes
// "id:status" lines; the hostile fixtures break the contract and must come back as AdapterError.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "model/japan_date.hpp"
#include "plugins/lua_adapter.hpp"

using namespace kh::plugins;
using kh::model::ErrorId;
using namespace std::chrono_literals;

namespace {
std::string fixtureDir(const std::string& name) {
    return std::string(KAKEHASHI_FIXTURES) + "/plugins/" + name;
}

Manifest manifestFor(const std::string& id) {
    Manifest m;
    m.id = id;
    m.name = id;
    m.version = "0.0.1";
    m.kind = "adapter";
    m.entry = "adapter.lua";
    return m;
}

SandboxLimits testLimits() {
    SandboxLimits limits;
    limits.deadline = 200ms;
    return limits;
}

LuaAdapter echo(const std::string& settings = "{}") {
    return LuaAdapter(manifestFor("echo"), fixtureDir("echo"), settings, testLimits());
}

LuaAdapter hostile(const std::string& name) {
    return LuaAdapter(manifestFor("hostile-" + name), fixtureDir("hostile/" + name), "{}", testLimits());
}

template <class F>
AdapterError adapterErrorOf(F&& f) {
    try {
        f();
    } catch (const AdapterError& e) {
        return e;
    }
    FAIL("no AdapterError");
    return AdapterError(ErrorId::Internal, "");
}

AnswerSet answers(const std::string& correlation, std::vector<std::string> json) {
    AnswerSet set;
    set.request = {"req.txt", "", ""};
    set.correlation = correlation;
    set.answersJson = std::move(json);
    return set;
}
}  // namespace

TEST_CASE("the echo plugin decodes lines into inquiries, checked again by the host", "[plugins][lua_adapter]") {
    LuaAdapter adapter = echo();
    const DecodedRequest r =
        adapter.decodeRequest({"req.txt", "01130012,5678,19800101,P1\r\n01130013,1,19800101,P2\nbad\n", ""});
    CHECK(r.correlation == "req.txt@" + kh::model::JapanDate::today().str());
    REQUIRE(r.entries.size() == 3);

    REQUIRE(r.entries[0].inquiry);
    CHECK(r.entries[0].errors.empty());
    CHECK(r.entries[0].inquiry->insured.insurerNumber == "01130012");
    CHECK(r.entries[0].inquiry->insured.cardNumber == "5678");
    CHECK(r.entries[0].arbitraryIdentifier == "P1");

    CHECK_FALSE(r.entries[1].inquiry);
    REQUIRE(r.entries[1].errors.size() == 1);
    CHECK(r.entries[1].errors[0].field == "InsurerNumber");
    CHECK(r.entries[1].arbitraryIdentifier == "P2");

    CHECK_FALSE(r.entries[2].inquiry);
    CHECK(r.entries[2].errors.at(0).field == "line");
    CHECK(r.entries[2].errors.at(0).message == "3項目が必要です");
    CHECK(r.entries[2].arbitraryIdentifier == "L3");
}

TEST_CASE("the echo plugin encodes one status a line, reading ctx.settings", "[plugins][lua_adapter]") {
    LuaAdapter adapter = echo(R"({"prefix":">"})");
    const auto out =
        adapter.encodeResult(answers("c1", {R"({"status":"valid","arbitraryIdentifier":"P1","stale":false})",
                                            R"({"status":"error","arbitraryIdentifier":"P2"})"}));
    REQUIRE(out.size() == 1);
    CHECK(out[0].name == "req.txt.out");
    CHECK(out[0].body == ">P1:valid\r\n>P2:error\r\n");
    CHECK(out[0].contentType == "text/plain");
    CHECK(adapter.id() == "echo");
    CHECK(adapter.memoryInUse() > 0);
    CHECK(adapter.memoryInUse() < SandboxLimits{}.memoryBytes);
}

TEST_CASE("wrong return types from a plugin are PluginFailed and the adapter keeps working", "[plugins][lua_adapter]") {
    LuaAdapter adapter = hostile("wrong-types");
    for (const char* name : {"string", "no-entries", "entry-not-table", "bad-correlation", "bad-error"}) {
        INFO(name);
        CHECK(adapterErrorOf([&] { adapter.decodeRequest({name, "", ""}); }).id() == ErrorId::PluginFailed);
    }
    CHECK_THAT(adapterErrorOf([&] {
                   adapter.decodeRequest({"string", "", ""});
               }).what(),
               Catch::Contains("decode_request must return {entries"));
    CHECK(adapterErrorOf([&] { adapter.decodeRequest({"too-many", "", ""}); }).id() == ErrorId::TooManyEntries);
    for (const char* correlation : {"nil", "name", "body", "path", "map"}) {
        INFO(correlation);
        CHECK(adapterErrorOf([&] { adapter.encodeResult(answers(correlation, {})); }).id() == ErrorId::PluginFailed);
    }
    CHECK(adapter.decodeRequest({"fine", "", ""}).entries.empty());
    CHECK(adapter.encodeResult(answers("fine", {})).empty());
}

TEST_CASE("on_event is called when the plugin has it; its failure is an AdapterError", "[plugins][lua_adapter]") {
    LuaAdapter adapter = hostile("wrong-types");
    CHECK_NOTHROW(adapter.onEvent(R"({"type":"batch-ready"})"));
    const AdapterError e = adapterErrorOf([&] { adapter.onEvent(R"({"type":"fail"})"); });
    CHECK(e.id() == ErrorId::PluginFailed);
    CHECK_THAT(e.what(), Catch::Contains("event refused"));
    CHECK_NOTHROW(echo().onEvent(R"({"type":"batch-ready"})"));  // no on_event: ignored
}

TEST_CASE("a plugin that does not load or lacks a function is refused with PluginFailed", "[plugins][lua_adapter]") {
    const AdapterError missing = adapterErrorOf([] { hostile("no-encode"); });
    CHECK(missing.id() == ErrorId::PluginFailed);
    CHECK_THAT(missing.what(), Catch::Contains("encode_result missing"));

    const AdapterError notTable = adapterErrorOf([] { hostile("not-a-table"); });
    CHECK(notTable.id() == ErrorId::PluginFailed);
    CHECK_THAT(notTable.what(), Catch::Contains("must return the adapter table"));

    const AdapterError loop = adapterErrorOf([] { hostile("load-loop"); });
    CHECK(loop.id() == ErrorId::PluginFailed);
    CHECK_THAT(loop.what(), Catch::Contains("plugin-timeout"));

    Manifest escaping = manifestFor("echo");
    escaping.entry = "../echo/adapter.lua";
    CHECK(adapterErrorOf([&] { LuaAdapter(escaping, fixtureDir("echo"), "{}"); }).id() == ErrorId::PluginFailed);
}

TEST_CASE("a runaway decode is a PluginTimeout for that message only", "[plugins][lua_adapter]") {
    LuaAdapter adapter = hostile("infinite-loop");
    CHECK(adapterErrorOf([&] { adapter.decodeRequest({"x", "", ""}); }).id() == ErrorId::PluginTimeout);
    CHECK(adapter.encodeResult(answers("x", {})).empty());
}

TEST_CASE("calls from several threads are serialised on the plugin's state", "[plugins][lua_adapter]") {
    LuaAdapter adapter = echo();
    std::vector<std::thread> threads;
    std::atomic<int> good{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                const std::string id = "T" + std::to_string(t) + "-" + std::to_string(i);
                const auto r = adapter.decodeRequest({"m", "01130012,5678,19800101," + id + "\n", ""});
                if (r.entries.size() == 1 && r.entries[0].arbitraryIdentifier == id) ++good;
            }
        });
    for (auto& th : threads) th.join();
    CHECK(good == 100);
}

TEST_CASE("once the host stops, a plugin's calls are refused without running", "[plugins][lua_adapter]") {
    auto stopping = std::make_shared<std::atomic<bool>>(false);
    LuaAdapter adapter(manifestFor("echo"), fixtureDir("echo"), "{}", testLimits(), stopping);
    CHECK(adapter.decodeRequest({"m", "01130012,5678,19800101,P1\n", ""}).entries.size() == 1);
    stopping->store(true);
    const AdapterError refused = adapterErrorOf([&] { adapter.decodeRequest({"m", "01130012,5678,19800101,P1\n", ""}); });
    CHECK(refused.id() == ErrorId::PluginRefused);
    CHECK(std::string(refused.what()) == kGatewayStopping);
    CHECK(adapterErrorOf([&] { adapter.encodeResult(answers("x", {})); }).id() == ErrorId::PluginRefused);
}
