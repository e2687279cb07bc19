// Tests of the journal (journal.cpp): every message in and out kept sealed, an exchange as one row.
#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include "store/journal.hpp"

using namespace kh::store;
using namespace kh::store::test;

TEST_CASE("a journalled message is sealed on disk", "[store][journal]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    Journal journal(store);
    journal.record({"in", "http", "t", "c1", "カナ ﾔﾏﾀﾞ ﾊﾅｺ"});
    CHECK(journal.count() == 1);
    std::string raw = readFile(dir + "/k.db") + readFile(dir + "/k.db-wal");
    CHECK(raw.find("ﾔﾏﾀﾞ") == std::string::npos);
}

TEST_CASE("an exchange is journalled as one sealed row that splits back into request and answer", "[store][journal]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    Journal journal(store);
    journal.recordExchange("http", "POST /x 200", "corr-1", "{\"a\":1}", "{\"b\":\"山田\"}");
    CHECK(journal.count() == 1);
    auto conn = store.db().lock();
    auto st = conn.prepare("SELECT direction, payload_sealed FROM journal WHERE correlation = 'corr-1'");
    REQUIRE(st.step());
    CHECK(st.text(0) == "exchange");
    std::string payload = store.key().open(st.blob(1), "journal:corr-1");
    CHECK(payload == exchangePayload("{\"a\":1}", "{\"b\":\"山田\"}"));
    auto nl = payload.find('\n');
    size_t requestBytes = std::stoul(payload.substr(0, nl));
    CHECK(payload.substr(nl + 1, requestBytes) == "{\"a\":1}");
    CHECK(payload.substr(nl + 1 + requestBytes) == "{\"b\":\"山田\"}");
}
