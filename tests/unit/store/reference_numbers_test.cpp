#include <catch2/catch.hpp>

#include "store_test_support.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "store/outbound_queue.hpp"
#include "store/reference_numbers.hpp"

using namespace kh::store;
using namespace kh::store::test;
using kh::model::ReferenceNumberRegistration;

namespace {
ReferenceNumberRegistration registration(const std::string& number, const std::string& symbol = "１２－３４",
                                         const std::string& card = "7654321") {
    ReferenceNumberRegistration r;
    r.referenceNumber = number;
    r.insured = {"01130012", symbol, card, "01", ""};
    return r;
}
}  // namespace

TEST_CASE("a registration waits for its ticket and is found by the normalised identity", "[store][reference]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    OutboundQueue queue(store);
    ReferenceNumbers numbers(store, queue);
    int64_t ticket = numbers.submit("<XmlMsg/>", {registration("PT-0001")});
    auto item = queue.get(ticket);
    REQUIRE(item);
    CHECK(item->kind == "reference-numbers");
    CHECK(item->state == "pending");

    // Full-width symbol and padded insurer number are the same person.
    kh::model::InsuredIdentity same{"01130012 ", "12-34", "7654321", "01", "19800101"};
    auto row = numbers.find(numbers.identityIndex(same));
    REQUIRE(row);
    CHECK(row->state == "pending");
    CHECK(row->ticket == ticket);
    CHECK(row->registration.referenceNumber == "PT-0001");
    CHECK(row->registration.insured.cardSymbol == "１２－３４");
    CHECK(row->registration.insured.cardNumber == "7654321");
    CHECK(row->registration.insured.branchNumber == "01");
    CHECK(row->registeredAt == 0);
    CHECK(numbers.pendingTickets() == std::vector<int64_t>{ticket});

    std::string raw = readFile(dir + "/k.db") + readFile(dir + "/k.db-wal");
    CHECK(raw.find("7654321") == std::string::npos);
}

TEST_CASE("a result is applied only to the rows still waiting for that ticket and number", "[store][reference]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    OutboundQueue queue(store);
    ReferenceNumbers numbers(store, queue);
    auto a = registration("PT-A", "", "111");
    auto b = registration("PT-B", "", "222");
    int64_t first = numbers.submit("<XmlMsg/>", {a, b});
    std::string ia = numbers.identityIndex(a.insured), ib = numbers.identityIndex(b.insured);

    // Person B registers again before the first answer arrives: the newer request owns the row.
    auto b2 = registration("PT-B2", "", "222");
    int64_t second = numbers.submit("<XmlMsg/>", {b2});
    CHECK(numbers.markResults(first, {{ia, "PT-A", true, "", ""}, {ib, "PT-B", false, "SIM-R007", "使用中"}}) == 1);
    CHECK(numbers.find(ia)->state == "registered");
    CHECK(numbers.find(ia)->registeredAt > 0);
    auto rowB = numbers.find(ib);
    CHECK(rowB->state == "pending");
    CHECK(rowB->registration.referenceNumber == "PT-B2");
    CHECK(rowB->ticket == second);
    CHECK(numbers.pendingTickets() == std::vector<int64_t>{second});

    CHECK(numbers.markResults(second, {{ib, "PT-B2", false, "SIM-R005", "該当者なし"}}) == 1);
    rowB = numbers.find(ib);
    CHECK(rowB->state == "refused");
    CHECK(rowB->resultCode == "SIM-R005");
    CHECK(rowB->resultMessage == "該当者なし");
    CHECK(numbers.markResults(second, {{ib, "PT-B2", true, "", ""}}) == 0);  // answered once
    CHECK(numbers.pendingTickets().empty());

    CHECK(numbers.count() == 2);
    CHECK(numbers.count("registered") == 1);
    auto refused = numbers.list("refused");
    REQUIRE(refused.size() == 1);
    CHECK(refused[0].registration.insured.cardNumber == "222");
    CHECK(numbers.list().size() == 2);
}

TEST_CASE("registering again replaces the number and waits again", "[store][reference]") {
    auto dir = tempDir();
    Store store(dir + "/k.db", dir + "/keys");
    OutboundQueue queue(store);
    ReferenceNumbers numbers(store, queue);
    auto r = registration("PT-1");
    int64_t t1 = numbers.submit("<XmlMsg/>", {r});
    numbers.markResults(t1, {{numbers.identityIndex(r.insured), "PT-1", true, "", ""}});
    int64_t t2 = numbers.submit("<XmlMsg/>", {registration("PT-2")});
    auto row = numbers.find(numbers.identityIndex(r.insured));
    CHECK(row->state == "pending");
    CHECK(row->ticket == t2);
    CHECK(row->registration.referenceNumber == "PT-2");
    CHECK(row->resultCode.empty());
    CHECK(numbers.count() == 1);
}
