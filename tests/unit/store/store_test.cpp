#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "store/api_clients.hpp"
#include "store/batches.hpp"
#include "store/eligibility_cache.hpp"
#include "store/inbound_files.hpp"
#include "store/journal.hpp"
#include "store/outbound_queue.hpp"
#include "store/settings.hpp"

using namespace kh::store;
using namespace kh::store::test;


TEST_CASE("the data key is made once, owner-only, and reused", "[store]") {
    auto dir = tempDir();
    auto a = DataKey::loadOrCreate(dir + "/keys");
    struct stat st {};
    REQUIRE(stat((dir + "/keys/data.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto b = DataKey::loadOrCreate(dir + "/keys");
    CHECK(b.open(a.seal("x", "aad"), "aad") == "x");
    CHECK(a.blindIndex({"01130012", "", "1", "", "19800101"}) == b.blindIndex({"01130012", "", "1", "", "19800101"}));
    CHECK(a.blindIndex({"01130012", "", "1", "", "19800101"}) != a.blindIndex({"01130012", "", "11", "", "9800101"}));
    chmod((dir + "/keys/data.key").c_str(), 0644);
    CHECK_THROWS(DataKey::loadOrCreate(dir + "/keys"));
}

TEST_CASE("migrations run once and patient payloads are sealed on disk", "[store]") {
    auto dir = tempDir();
    {
        Store store(dir + "/k.db", dir + "/keys");
        CHECK(store.db().schemaVersion() >= 1);
        EligibilityCache cache(store);
        cache.put("idx-1", {"<Name>山田　花子</Name>", 100});
        Journal journal(store);
        journal.record({"in", "http", "t", "c1", "カナ ﾔﾏﾀﾞ ﾊﾅｺ"});
        CHECK(journal.count() == 1);
    }
    Store again(dir + "/k.db", dir + "/keys");  // reopening applies nothing twice
    EligibilityCache cache(again);
    auto hit = cache.get("idx-1");
    REQUIRE(hit);
    CHECK(hit->result == "<Name>山田　花子</Name>");
    CHECK(hit->confirmedAt == 100);
    std::string raw = readFile(dir + "/k.db") + readFile(dir + "/k.db-wal");
    CHECK(raw.find("山田") == std::string::npos);
    CHECK(raw.find("ﾔﾏﾀﾞ") == std::string::npos);
}

TEST_CASE("the outbound queue keeps order and request ids across retries", "[store]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    OutboundQueue q(store);
    auto a = q.enqueue("inquiry", "o", "<a/>");
    auto b = q.enqueue("inquiry", "o", "<b/>");
    auto head = q.head();
    REQUIRE(head);
    CHECK(head->id == a);
    std::string rid = head->requestId;
    q.retryLater(a, 0, "HTTP 503");
    CHECK(q.head()->id == a);
    CHECK(q.head()->requestId == rid);
    CHECK(q.head()->attempts == 1);
    q.complete(a, 200, "<ok/>");
    CHECK(q.get(a)->response == "<ok/>");
    CHECK(q.head()->id == b);
    q.fail(b, 403, "refused", "<err/>");
    CHECK_FALSE(q.head());
    CHECK(q.get(b)->state == "failed");
    CHECK(q.pendingCount() == 0);
}

TEST_CASE("a batch is created once per origin, chunked, and completes when every entry is answered", "[store]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    OutboundQueue q(store);
    Batches batches(store, q);
    std::vector<NewBatchEntry> entries = {{"q0", std::nullopt}, {"q1", std::string("local")}, {"q2", std::nullopt},
                                          {"q3", std::nullopt}};
    auto body = [](const std::vector<std::string>& c) {
        std::string s;
        for (auto& x : c) s += x;
        return s;
    };
    auto b = batches.create("file:1", "1312345679", "F1", entries, 2, body);
    CHECK(batches.create("file:1", "1312345679", "F1", entries, 2, body).receptionNumber == b.receptionNumber);
    auto chunks = batches.chunks("uploading");
    REQUIRE(chunks.size() == 2);
    CHECK(q.get(chunks[0].uploadTicket)->body == "q0q2");
    CHECK(q.get(chunks[1].uploadTicket)->body == "q3");
    batches.chunkUploaded(chunks[0], "R1", 0);
    batches.chunkAnswered(chunks[0], {"r0", "r2"});
    CHECK(batches.byReception(b.receptionNumber)->state == "processing");
    batches.chunkAnswered(chunks[1], {"r3"});
    CHECK(batches.byReception(b.receptionNumber)->state == "done");
    auto e = batches.entries(b.id);
    REQUIRE(e.size() == 4);
    CHECK(*e[0].result == "r0");
    CHECK(*e[1].result == "local");
    CHECK(*e[2].result == "r2");
    CHECK(*e[3].result == "r3");
}

TEST_CASE("an inbound file is recorded once per name and content", "[store]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    InboundFiles files(store);
    auto id = files.accept("OQSsiquc01req_1.xml", "abc", "OQSsiquc01req", "utf-8", "<x/>");
    CHECK(files.accept("OQSsiquc01req_1.xml", "abc", "OQSsiquc01req", "utf-8", "<x/>") == id);
    CHECK(files.open("accepted").size() == 1);
    files.waitFor(id, 7);
    CHECK(files.open("waiting").at(0).ticket == 7);
    files.answered(id);
    CHECK(files.open("waiting").empty());
}

TEST_CASE("API client tokens are kept only as hashes", "[store]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    ApiClients clients(store);
    auto token = clients.issue("recept-1", {"192.168.0.0/24"});
    CHECK(clients.authenticate(token)->name == "recept-1");
    CHECK(clients.authenticate(token)->allowCidrs.at(0) == "192.168.0.0/24");
    CHECK_FALSE(clients.authenticate(token + "x"));
    CHECK_FALSE(clients.authenticate(""));
    std::string raw = readFile(dir + "/k.db") + readFile(dir + "/k.db-wal");
    CHECK(raw.find(token) == std::string::npos);
}

TEST_CASE("an exchange is journalled as one sealed row that splits back into request and answer", "[store]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    Journal journal(store);
    journal.recordExchange("http", "POST /x 200", "corr-1", "{\"a\":1}", "{\"b\":\"山田\"}");
    CHECK(journal.count() == 1);
    auto l = store.db().lock();
    auto st = store.db().prepare("SELECT direction, payload_sealed FROM journal WHERE correlation = 'corr-1'");
    REQUIRE(st.step());
    CHECK(st.text(0) == "exchange");
    std::string payload = store.key().open(st.blob(1), "journal:corr-1");
    CHECK(payload == exchangePayload("{\"a\":1}", "{\"b\":\"山田\"}"));
    auto nl = payload.find('\n');
    size_t requestBytes = std::stoul(payload.substr(0, nl));
    CHECK(payload.substr(nl + 1, requestBytes) == "{\"a\":1}");
    CHECK(payload.substr(nl + 1 + requestBytes) == "{\"b\":\"山田\"}");
}

TEST_CASE("settings keep every change with who made it", "[store]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    Settings settings(store);
    CHECK_FALSE(settings.get("homeReception.url"));
    settings.set("homeReception.url", "https://a.invalid/", "central");
    settings.set("homeReception.url", "https://b.invalid/", "cli");
    auto now = settings.get("homeReception.url");
    REQUIRE(now);
    CHECK(now->value == "https://b.invalid/");
    CHECK(now->updatedBy == "cli");
    auto history = settings.history("homeReception.url");
    REQUIRE(history.size() == 2);
    CHECK(history[0].value == "https://b.invalid/");
    CHECK(history[1].updatedBy == "central");
}
