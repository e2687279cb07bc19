#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "../temp_dir.hpp"
#include "store/store.hpp"
#include "store/terminal_requests.hpp"
#include "upstream/local_share_folder.hpp"
#include "upstream/terminal_exchange.hpp"

using namespace kh;
using namespace std::chrono_literals;
using upstream::Failure;
using upstream::TerminalAnswer;
namespace fs = std::filesystem;

namespace {

const char* kRequest = "<XmlMsg><MessageHeader/><MessageBody/></XmlMsg>";
const char* kAnswer = "<XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult></MessageHeader><MessageBody/></XmlMsg>";

// The local folder share, counting what the exchange writes (a request file written twice would be a request
// sent twice).
class CountingShare : public upstream::LocalShareFolder {
public:
    using LocalShareFolder::LocalShareFolder;
    void write(const std::string& folder, const std::string& name, const std::string& bytes) override {
        {
            std::lock_guard<std::mutex> l(mutex);
            ++writes[name];
        }
        LocalShareFolder::write(folder, name, bytes);
    }
    int writesOf(const std::string& name) {
        std::lock_guard<std::mutex> l(mutex);
        auto it = writes.find(name);
        return it == writes.end() ? 0 : it->second;
    }
    std::mutex mutex;
    std::map<std::string, int> writes;
};

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds deadline = 10s) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        if (condition()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return condition();
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void put(const std::string& path, const std::string& bytes) {
    std::ofstream(path + ".part", std::ios::binary) << bytes;
    fs::rename(path + ".part", path);  // whole, as the terminal writes its answers
}

// The terminal's share on disk, the ledger, and the test playing the terminal's 連携アプリケーション.
struct Rig {
    kh::test::TempDir dir;
    std::string share = dir.path + "/share";
    store::Store store{dir.path + "/k.db", dir.path + "/keys"};
    store::TerminalRequests ledger{store};
    CountingShare folder{share};
    upstream::TerminalOptions options;

    Rig() {
        for (const char* f : {"", "/req", "/res", "/face"}) fs::create_directories(share + f);
        options.concurrency = 20;
        options.answerTimeout = 5s;
        options.poll = 10ms;
    }
    std::string req(const std::string& name) const { return share + "/req/" + name; }
    std::string res(const std::string& name) const { return share + "/res/" + name; }
    std::set<std::string> names(const std::string& folder) const {
        std::set<std::string> out;
        for (auto& e : fs::directory_iterator(share + "/" + folder)) out.insert(e.path().filename().string());
        return out;
    }
    // Takes the request file as the terminal does (it leaves req/), and returns its bytes.
    std::string take(const std::string& name) {
        REQUIRE(waitFor([&] { return fs::exists(req(name)); }));
        std::string bytes = slurp(req(name));
        fs::remove(req(name));
        return bytes;
    }
};

std::string resName(const std::string& request) {
    std::string n = request;
    n.replace(n.find("req_"), 4, "res_");
    return n;
}
}  // namespace

TEST_CASE("a request file goes into req/ under its request id's name and its answer comes back from res/",
          "[upstream][terminal]") {
    Rig rig;
    upstream::TerminalExchange x(rig.folder, rig.ledger, rig.options);
    x.start();
    const std::string id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    const std::string name = upstream::TerminalExchange::requestFileName("OQSsiquc01", id);
    CHECK(name == "OQSsiquc01req_0190a1b2c3d47e5f8a9b0c1d2e3f4a5b.xml");
    auto call = std::async(std::launch::async, [&] { return x.exchange(id, "OQSsiquc01", kRequest, false, nullptr); });
    CHECK(rig.take(name) == kRequest);
    CHECK(rig.ledger.find(id));  // recorded before the terminal could see it
    put(rig.res(resName(name)), kAnswer);
    auto out = call.get();
    REQUIRE(out.ok());
    CHECK(out.answer->kind == TerminalAnswer::Kind::Xml);
    CHECK(out.answer->bytes == kAnswer);
    // A call made afresh each time: its answer and its row go once read.
    CHECK(rig.names("res").empty());
    CHECK_FALSE(rig.ledger.find(id));
    CHECK(rig.folder.writesOf(name) == 0);  // written under the hidden name, then renamed
    CHECK(rig.folder.writes.size() == 1);
}

TEST_CASE("after a restart a queued call finds its own file and never writes it again", "[upstream][terminal]") {
    Rig rig;
    const std::string id = "0190a1b2-0000-7000-8000-000000000001";
    const std::string name = upstream::TerminalExchange::requestFileName("OQSsiquc01", id);
    const std::string temp = "." + name + ".kakehashi-tmp";

    SECTION("still in req/: waited for") {
        rig.ledger.record(id, name);
        put(rig.req(name), kRequest);  // the process before the crash got that far
        upstream::TerminalExchange x(rig.folder, rig.ledger, rig.options);
        x.start();
        auto call = std::async(std::launch::async, [&] { return x.exchange(id, "OQSsiquc01", kRequest, true, nullptr); });
        rig.take(name);
        put(rig.res(resName(name)), kAnswer);
        auto out = call.get();
        REQUIRE(out.ok());
        CHECK(out.answer->bytes == kAnswer);
    }
    SECTION("taken, answer already in res/: read, not written again") {
        rig.ledger.record(id, name);
        put(rig.res(resName(name)), kAnswer);
        upstream::TerminalExchange x(rig.folder, rig.ledger, rig.options);
        x.start();
        auto out = x.exchange(id, "OQSsiquc01", kRequest, true, nullptr);
        REQUIRE(out.ok());
        CHECK(out.answer->bytes == kAnswer);
        // A queued call's answer stays until its outcome is recorded (a crash now means reading it again).
        CHECK(rig.names("res").count(resName(name)));
    }
    SECTION("taken, not answered yet: waited for") {
        rig.ledger.record(id, name);
        upstream::TerminalExchange x(rig.folder, rig.ledger, rig.options);
        x.start();
        auto call = std::async(std::launch::async, [&] { return x.exchange(id, "OQSsiquc01", kRequest, true, nullptr); });
        REQUIRE(call.wait_for(200ms) == std::future_status::timeout);  // it waits; it does not write
        CHECK_FALSE(fs::exists(rig.req(name)));
        put(rig.res(resName(name)), kAnswer);
        REQUIRE(call.get().ok());
    }
    SECTION("written under the hidden name, never renamed: renamed now") {
        rig.ledger.record(id, name);
        put(rig.req(temp), kRequest);
        upstream::TerminalExchange x(rig.folder, rig.ledger, rig.options);
        x.start();
        auto call = std::async(std::launch::async, [&] { return x.exchange(id, "OQSsiquc01", kRequest, true, nullptr); });
        CHECK(rig.take(name) == kRequest);
        put(rig.res(resName(name)), kAnswer);
        REQUIRE(call.get().ok());
    }
    CHECK(rig.folder.writesOf(temp) == 0);
    CHECK(rig.folder.writesOf(name) == 0);
}

TEST_CASE("a .err is the terminal's answer, and goes with its request copy", "[upstream][terminal]") {
    Rig rig;
    upstream::TerminalExchange x(rig.folder, rig.ledger, rig.options);
    x.start();
    const std::string id = "0190a1b2-0000-7000-8000-000000000002";
    const std::string name = upstream::TerminalExchange::requestFileName("OQSsiquc01", id);
    auto call = std::async(std::launch::async, [&] { return x.exchange(id, "OQSsiquc01", kRequest, false, nullptr); });
    std::string copy = rig.take(name);
    const std::string err = name.substr(0, name.size() - 4) + ".err";
    put(rig.res(err), "要求ファイルを処理できませんでした。\r\ncode=TSIM-E900\r\n");
    put(rig.res(name), copy);
    auto out = call.get();
    REQUIRE(out.ok());
    CHECK(out.answer->kind == TerminalAnswer::Kind::Err);
    CHECK(out.answer->fileName == err);
    CHECK(out.answer->bytes.find("code=TSIM-E900") != std::string::npos);
    CHECK(waitFor([&] { return rig.names("res").empty(); }));
}

TEST_CASE("a file the terminal never took is withdrawn and sent again later under the same name",
          "[upstream][terminal]") {
    Rig rig;
    rig.options.answerTimeout = 300ms;
    upstream::TerminalExchange x(rig.folder, rig.ledger, rig.options);
    x.start();
    const std::string id = "0190a1b2-0000-7000-8000-000000000003";
    const std::string name = upstream::TerminalExchange::requestFileName("OQSsiquc01", id);
    auto out = x.exchange(id, "OQSsiquc01", kRequest, true, nullptr);
    REQUIRE_FALSE(out.ok());
    CHECK(out.failure.kind == Failure::Kind::Unreachable);  // worth trying again: the terminal never had it
    CHECK(rig.names("req").empty());
    CHECK_FALSE(rig.ledger.find(id));

    // The retry: the terminal is back and takes it.
    auto again = std::async(std::launch::async, [&] { return x.exchange(id, "OQSsiquc01", kRequest, true, nullptr); });
    CHECK(rig.take(name) == kRequest);
    put(rig.res(resName(name)), kAnswer);
    REQUIRE(again.get().ok());
}

TEST_CASE("a file taken but never answered is a final failure: sending it again could act twice",
          "[upstream][terminal]") {
    Rig rig;
    rig.options.answerTimeout = 300ms;
    upstream::TerminalExchange x(rig.folder, rig.ledger, rig.options);
    x.start();
    const std::string id = "0190a1b2-0000-7000-8000-000000000004";
    const std::string name = upstream::TerminalExchange::requestFileName("OQSsiquc01", id);
    auto call = std::async(std::launch::async, [&] { return x.exchange(id, "OQSsiquc01", kRequest, true, nullptr); });
    rig.take(name);
    auto out = call.get();
    REQUIRE_FALSE(out.ok());
    CHECK(out.failure.kind == Failure::Kind::Refused);
    CHECK(out.failure.message.find("再送しません") != std::string::npos);
}

TEST_CASE("no more request files are at the terminal at once than the concurrency allows", "[upstream][terminal]") {
    Rig rig;
    rig.options.concurrency = 2;
    upstream::TerminalExchange x(rig.folder, rig.ledger, rig.options);
    x.start();
    std::vector<std::future<upstream::Outcome<TerminalAnswer>>> calls;
    std::vector<std::string> names;
    for (int i = 0; i < 5; ++i) {
        std::string id = "0190a1b2-0000-7000-8000-00000000001" + std::to_string(i);
        names.push_back(upstream::TerminalExchange::requestFileName("OQSsiquc01", id));
        calls.push_back(std::async(std::launch::async, [&x, id] { return x.exchange(id, "OQSsiquc01", kRequest, false, nullptr); }));
    }
    // The terminal answers one file at a time; each time no more than two are waiting in req/ or at it.
    std::set<std::string> answered;
    while (answered.size() < names.size()) {
        std::set<std::string> waiting;
        REQUIRE(waitFor([&] {
            waiting.clear();
            for (const auto& n : rig.names("req"))
                if (n[0] != '.') waiting.insert(n);
            return !waiting.empty();
        }));
        CHECK(waiting.size() <= 2);
        CHECK(x.inFlight() <= 2);
        std::string name = *waiting.begin();
        rig.take(name);
        put(rig.res(resName(name)), kAnswer);
        answered.insert(name);
        REQUIRE(waitFor([&] { return !fs::exists(rig.res(resName(name))); }));  // read and removed
    }
    for (auto& c : calls) CHECK(c.get().ok());
    CHECK(x.maxInFlight() == 2);
    CHECK(answered == std::set<std::string>(names.begin(), names.end()));
}

TEST_CASE("stopping ends every wait under way: the call comes back unreachable, to be sent again",
          "[upstream][terminal]") {
    Rig rig;
    upstream::TerminalExchange x(rig.folder, rig.ledger, rig.options);
    x.start();
    const std::string id = "0190a1b2-0000-7000-8000-000000000005";
    const std::string name = upstream::TerminalExchange::requestFileName("OQSsiquc01", id);
    auto call = std::async(std::launch::async, [&] { return x.exchange(id, "OQSsiquc01", kRequest, true, nullptr); });
    REQUIRE(waitFor([&] { return fs::exists(rig.req(name)); }));
    x.stop();
    auto out = call.get();
    REQUIRE_FALSE(out.ok());
    CHECK(out.failure.kind == Failure::Kind::Unreachable);
    CHECK(rig.ledger.find(id));  // written: after the restart it is looked for, never written again
}
