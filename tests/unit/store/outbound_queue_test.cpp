// Tests of the outbound queue (outbound_queue.cpp): order and request ids kept across retries.
#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include "store/outbound_queue.hpp"

using namespace kh::store;
using namespace kh::store::test;

TEST_CASE("the outbound queue keeps order and request ids across retries", "[store][outbound]") {
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
