// Tests of the batches (batches.cpp): one per origin, chunked, complete when every entry is answered.
#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include "store/batches.hpp"
#include "store/outbound_queue.hpp"

using namespace kh::store;
using namespace kh::store::test;

TEST_CASE("a batch is created once per origin, chunked, and completes when every entry is answered", "[store][batches]") {
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
