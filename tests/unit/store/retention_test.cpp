#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include "store/batches.hpp"
#include "store/dead_letters.hpp"
#include "store/eligibility_cache.hpp"
#include "store/inbound_files.hpp"
#include "store/journal.hpp"
#include "store/outbound_queue.hpp"
#include "store/retention.hpp"

using namespace kh::store;
using namespace kh::store::test;

namespace {
constexpr int64_t kDay = 86400;

int64_t count(Store& s, const std::string& sql) {
    auto conn = s.db().lock();
    auto st = conn.prepare(sql);
    st.step();
    return st.int64(0);
}

void age(Store& s, const std::string& sql, int64_t at) {
    auto conn = s.db().lock();
    conn.prepare(sql).bind(1, at).run();
}

// One of everything the gateway keeps, `days` old.
struct Generation {
    int64_t inbound = 0, outbound = 0;
};

Generation fill(Store& s, Journal& journal, EligibilityCache& cache, const std::string& tag, int64_t at) {
    InboundFiles inbound(s);
    OutboundQueue queue(s);
    DeadLetters dead(s);
    Generation g;
    journal.record({"in", "file", "OQSsiquc01req", tag, "<Name>" + tag + "</Name>"});
    age(s, "UPDATE journal SET at = ? WHERE id = (SELECT MAX(id) FROM journal)", at);
    g.inbound = inbound.accept(tag + ".xml", tag, "OQSsiquc01req", "utf-8", "<Name>" + tag + "</Name>");
    inbound.answered(g.inbound);
    age(s, "UPDATE inbound_files SET received_at = ?1, answered_at = ?1 WHERE id = (SELECT MAX(id) FROM inbound_files)", at);
    g.outbound = queue.enqueue("inquiry", "eligibility", "<Name>" + tag + "</Name>");
    queue.complete(g.outbound, 200, "<Answer/>");
    age(s, "UPDATE outbound_queue SET created_at = ?1, finished_at = ?1 WHERE id = (SELECT MAX(id) FROM outbound_queue)", at);
    dead.add("plugin:x", tag, "KKH-E4001", "plugin-failed", "<Name>" + tag + "</Name>");
    age(s, "UPDATE dead_letters SET at = ? WHERE id = (SELECT MAX(id) FROM dead_letters)", at);
    cache.put("idx-" + tag, {"<Name>" + tag + "</Name>", at});
    return g;
}
}  // namespace

TEST_CASE("patient data goes first, records later, open work never", "[store][retention]") {
    auto dir = tempDir();
    Store s(dir + "/k.db", dir + "/keys");
    Journal journal(s);
    EligibilityCache cache(s);
    const int64_t now = 1'800'000'000;
    Retention retention(s, cache, RetentionPolicy{7, 31, 90});

    auto fresh = fill(s, journal, cache, "fresh", now - 1 * kDay);
    auto middle = fill(s, journal, cache, "middle", now - 10 * kDay);   // past patient data, within records
    fill(s, journal, cache, "old", now - 100 * kDay);                   // past everything
    InboundFiles inbound(s);
    int64_t open = inbound.accept("open.xml", "open", "OQSsiquc01req", "utf-8", "<Name>waiting</Name>");
    age(s, "UPDATE inbound_files SET received_at = ? WHERE id = " + std::to_string(open), now - 200 * kDay);
    OutboundQueue queue(s);
    int64_t pending = queue.enqueue("inquiry", "eligibility", "<Name>pending</Name>");
    age(s, "UPDATE outbound_queue SET created_at = ? WHERE id = " + std::to_string(pending), now - 200 * kDay);

    auto report = retention.sweep(now);

    // The middle generation: rows kept (a message came and went), payloads gone.
    CHECK(count(s, "SELECT COUNT(*) FROM journal WHERE correlation = 'middle' AND payload_sealed IS NULL") == 1);
    CHECK(count(s, "SELECT COUNT(*) FROM inbound_files WHERE id = " + std::to_string(middle.inbound) + " AND body_sealed IS NULL") == 1);
    CHECK(queue.get(middle.outbound)->body.empty());
    CHECK(queue.get(middle.outbound)->state == "done");
    CHECK(count(s, "SELECT COUNT(*) FROM dead_letters WHERE name = 'middle' AND length(body_sealed) = 0") == 1);
    CHECK(cache.get("idx-middle"));  // answers stay for the cache period (31 days)
    // The fresh generation is whole.
    CHECK(count(s, "SELECT COUNT(*) FROM journal WHERE correlation = 'fresh' AND payload_sealed IS NOT NULL") == 1);
    CHECK(inbound.get(fresh.inbound)->body == "<Name>fresh</Name>");
    CHECK(queue.get(fresh.outbound)->body == "<Name>fresh</Name>");
    // The old generation is gone entirely, cache included.
    CHECK(count(s, "SELECT COUNT(*) FROM journal WHERE correlation = 'old'") == 0);
    CHECK(count(s, "SELECT COUNT(*) FROM inbound_files WHERE name = 'old.xml'") == 0);
    CHECK(count(s, "SELECT COUNT(*) FROM dead_letters WHERE name = 'old'") == 0);
    CHECK_FALSE(cache.get("idx-old"));
    CHECK(report.cacheDeleted == 1);
    CHECK(report.payloadsDropped == 8);  // four of the middle generation, four of the old one before it went
    // Work still open is never touched, however old.
    CHECK(inbound.get(open)->body == "<Name>waiting</Name>");
    CHECK(queue.get(pending)->body == "<Name>pending</Name>");
}

TEST_CASE("a finished batch leaves whole after the patient-data period, an open one stays", "[store][retention]") {
    auto dir = tempDir();
    Store s(dir + "/k.db", dir + "/keys");
    EligibilityCache cache(s);
    OutboundQueue queue(s);
    Batches batches(s, queue);
    auto upload = [](const std::vector<std::string>&) { return std::string("<Upload/>"); };
    auto done = batches.create("http:a", "1312345679", "F1", {{"<Q/>", std::string("<R/>")}}, 10, upload);
    auto open = batches.create("http:b", "1312345679", "F2", {{"<Q/>", std::nullopt}}, 10, upload);
    const int64_t now = 1'800'000'000;
    age(s, "UPDATE batches SET completed_at = ?, received_at = completed_at WHERE state = 'done'", now - 8 * kDay);
    age(s, "UPDATE batches SET received_at = ? WHERE state != 'done'", now - 8 * kDay);
    Retention(s, cache, RetentionPolicy{7, 31, 90}).sweep(now);
    CHECK_FALSE(batches.byReception(done.receptionNumber));
    CHECK(count(s, "SELECT COUNT(*) FROM batch_entries WHERE batch_id = " + std::to_string(done.id)) == 0);
    CHECK(batches.byReception(open.receptionNumber));
}

TEST_CASE("space is given back to the file system", "[store][retention]") {
    auto dir = tempDir();
    Store s(dir + "/k.db", dir + "/keys");
    Journal journal(s);
    EligibilityCache cache(s);
    for (int i = 0; i < 200; ++i) journal.record({"in", "http", "k", "c" + std::to_string(i), std::string(20000, 'x')});
    age(s, "UPDATE journal SET at = ?", 1);
    CHECK(count(s, "PRAGMA auto_vacuum") == 2);
    int64_t before = count(s, "PRAGMA page_count");
    Retention(s, cache, RetentionPolicy{7, 31, 90}).sweep(1'800'000'000);
    CHECK(count(s, "PRAGMA page_count") < before / 4);
}
