#include <catch2/catch.hpp>

#include <deque>

#include "spec/xml.hpp"
#include "upstream/central_v1_client.hpp"

using namespace kh;
using namespace kh::upstream;

namespace {
// Answers in turn what the test put in; records what was sent.
struct ScriptedTransport : CentralTransport {
    struct Sent {
        std::string method, path, body, requestId;
    };
    std::vector<Sent> sent;
    std::deque<CentralResponse> answers;
    bool down = false;

    CentralResponse next(const std::string& method, const std::string& path, const std::string& body, const std::string& id) {
        sent.push_back({method, path, body, id});
        if (down) throw TransportError("connection refused");
        auto a = answers.front();
        answers.pop_front();
        return a;
    }
    CentralResponse post(const std::string& path, const std::string& body, const std::string& id) override { return next("POST", path, body, id); }
    CentralResponse get(const std::string& path, const std::string& id) override { return next("GET", path, "", id); }
    void handshake() override {
        if (down) throw TransportError("connection refused");
    }
};

const char* kResult =
    "<XmlMsg><MessageHeader><ProcessExecutionTime>20261207101500</ProcessExecutionTime><SegmentOfResult>1</SegmentOfResult>"
    "</MessageHeader><MessageBody><ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>1</QualificationValidity>"
    "<ResultList><ResultOfQualificationConfirmation><Name>試験　太郎</Name><FutureElement>kept</FutureElement>"
    "</ResultOfQualificationConfirmation></ResultList></MessageBody></XmlMsg>";

model::EligibilityInquiry inquiry() {
    model::EligibilityInquiry q;
    q.insured = {"01130012", "12", "3456", "01", "19800101"};
    q.arbitraryIdentifier = "A1";
    return q;
}
}  // namespace

TEST_CASE("an inquiry goes up as OQSsiquc01req under its request id and comes back whole") {
    ScriptedTransport t;
    t.answers.push_back({200, kResult, 0});
    CentralV1Client client(t, "1312345679");
    auto out = client.inquire("rid-1", inquiry(), "F1", nullptr);
    REQUIRE(out.ok());
    REQUIRE(t.sent.size() == 1);
    CHECK(t.sent[0].path == "/v1/qualifications/inquiry");
    CHECK(t.sent[0].requestId == "rid-1");
    auto sent = spec::parseXml(t.sent[0].body).root;
    CHECK(sent.child("MessageHeader")->childText("MedicalInstitutionCode") == "1312345679");
    CHECK(sent.child("MessageHeader")->childText("ArbitraryFileIdentifier") == "F1");
    CHECK(out.answer->answeredAt == "20261207101500");
    REQUIRE(out.answer->received);
    CHECK(out.answer->records.at(0).name == "試験　太郎");
}

TEST_CASE("central-v1 tells unreachable (retry) from refused (final)") {
    ScriptedTransport t;
    CentralV1Client client(t, "1312345679");
    t.answers.push_back({503, "", 7});
    auto busy = client.inquire("r", inquiry(), "", nullptr);
    CHECK(busy.failure.kind == Failure::Kind::Unreachable);
    CHECK(busy.failure.retryAfterSeconds == 7);
    t.answers.push_back({200, "<XmlMsg><unclosed>", 0});
    CHECK(client.inquire("r", inquiry(), "", nullptr).failure.kind == Failure::Kind::Unreachable);  // a damaged answer
    t.answers.push_back({200,
                         "<XmlMsg><MessageHeader><SegmentOfResult>9</SegmentOfResult><ErrorCode>EQ001</ErrorCode>"
                         "<ErrorMessage>中央の理由</ErrorMessage></MessageHeader><MessageBody/></XmlMsg>",
                         0});
    auto refused = client.inquire("r", inquiry(), "", nullptr);
    CHECK(refused.failure.kind == Failure::Kind::Refused);
    CHECK(refused.failure.code == "EQ001");
    CHECK(refused.failure.message == "中央の理由");
    t.down = true;
    CHECK(client.inquire("r", inquiry(), "", nullptr).failure.kind == Failure::Kind::Unreachable);
    CHECK(client.probe().failure.kind == Failure::Kind::Unreachable);
}

TEST_CASE("a batch's second phase says processing until its units are there") {
    ScriptedTransport t;
    CentralV1Client client(t, "1312345679");
    t.answers.push_back({202, "", 3});
    auto first = client.downloadBatch("R1", BatchKind::Qualifications);
    REQUIRE(first.ok());
    CHECK(first.answer->processing);
    CHECK(t.sent.back().path == "/v1/qualifications/batches/R1");
    t.answers.push_back({200,
                         "<XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult></MessageHeader><MessageBody>"
                         "<BulkConfirmUnit><ProcessingResultStatus>1</ProcessingResultStatus>"
                         "<ResultOfQualificationConfirmation><Name>x</Name></ResultOfQualificationConfirmation>"
                         "<ReferenceNumber>P-1</ReferenceNumber></BulkConfirmUnit></MessageBody></XmlMsg>",
                         0});
    auto done = client.downloadBatch("R1", BatchKind::Qualifications);
    REQUIRE(done.ok());
    REQUIRE(done.answer->units.size() == 1);
    CHECK(done.answer->units[0].records.at(0).referenceNumber == "P-1");
}

TEST_CASE("medical information is asked for without a birth date; a refusal keeps the central system's words") {
    ScriptedTransport t;
    CentralV1Client client(t, "1312345679");
    model::MedicalInfoRequest r;
    r.insured = {"01130012", "12", "3456", "01", ""};
    r.scope = model::ConsentScope::Checkup;
    r.fileCategory = 2;
    t.answers.push_back({403,
                         "<XmlMsg><MessageHeader><ResultCode>2</ResultCode><ProcessingResultCode>SIM-CNS-1</ProcessingResultCode>"
                         "<MessageContents>同意がありません</MessageContents></MessageHeader><MessageBody/></XmlMsg>",
                         0});
    auto out = client.medicalInfo("r", r);
    CHECK(t.sent.back().path == "/v1/medical-info/checkup");
    auto sent = spec::parseXml(t.sent.back().body).root;
    CHECK(sent.child("MessageBody")->child("Birthdate") == nullptr);
    CHECK(sent.child("MessageHeader")->childText("InsuredPersonIdentificationNumber") == "3456");
    REQUIRE_FALSE(out.ok());
    CHECK(out.failure.status == 403);
    CHECK(out.failure.code == "SIM-CNS-1");
    CHECK(out.failure.message == "同意がありません");
}
