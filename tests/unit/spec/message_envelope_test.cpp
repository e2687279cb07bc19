// Tests of the interface's message envelope (message_envelope.cpp): the result header's element order with an
// error, the header of an answer made from its request's, and what is not an XmlMsg with a body.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "model/errors.hpp"
#include "model/japan_date.hpp"
#include "spec/messages.hpp"
#include "spec_test_support.hpp"

using kh::model::ErrorId;
using kh::model::KakehashiError;
using namespace kh::spec;
using kh::spec::test::childNames;
namespace model = kh::model;

namespace {
ResultHeader sampleResultHeader() {
    ResultHeader h;
    h.processExecutionTime = "20261124093001";
    h.confirmationDate = "20261124";
    h.institutionCode = "1312345678";
    h.arbitraryFileIdentifier = "FILE-1";
    return h;
}

ErrorId decodeRefusal(const std::string& doc) {
    try {
        decodeSingleInquiryRequest(parseXml(doc).root);
    } catch (const KakehashiError& e) {
        return e.id();
    }
    FAIL("document was accepted");
    return ErrorId::Internal;
}
}  // namespace

TEST_CASE("the error header carries ErrorCode and ErrorMessage before CharacterCodeIdentifier", "[spec][envelope]") {
    SingleInquiryResponse m{sampleResultHeader(), std::nullopt};
    m.header.segmentOfResult = "9";
    m.header.errorCode = "KKH-E1001";
    m.header.errorMessage = "XMLの形式が正しくありません";
    const auto names = childNames(*encode(m).child("MessageHeader"));
    CHECK(std::vector<std::string>(names.end() - 3, names.end()) ==
          std::vector<std::string>{"ErrorCode", "ErrorMessage", "CharacterCodeIdentifier"});
}

TEST_CASE("documents that are not XmlMsg with a MessageBody are UnknownMessage", "[spec][envelope]") {
    CHECK(decodeRefusal("<Other><MessageBody/></Other>") == ErrorId::UnknownMessage);
    CHECK(decodeRefusal("<XmlMsg><MessageHeader/></XmlMsg>") == ErrorId::UnknownMessage);
    CHECK(decodeRefusal("<XmlMsg><Wrapper><MessageBody/></Wrapper></XmlMsg>") == ErrorId::UnknownMessage);
    CHECK_THROWS_AS(decodeBatchResultResponse(parseXml("<r/>").root), KakehashiError);
}

TEST_CASE("an answer's header echoes its request's and names the answer's encoding", "[spec][envelope]") {
    RequestHeader request{"20261124", "1312345679", "FILE-9"};
    auto utf8 = answerHeader(request, Encoding::Utf8);
    CHECK(utf8.confirmationDate == "20261124");
    CHECK(utf8.institutionCode == "1312345679");
    CHECK(utf8.arbitraryFileIdentifier == "FILE-9");
    CHECK(utf8.characterCodeIdentifier == "0");
    CHECK(utf8.processExecutionTime.size() == 14);
    CHECK(answerHeader(request, Encoding::ShiftJis).characterCodeIdentifier == "1");
    request.confirmationDate.clear();  // a request without its date is answered as of today, Japan time
    CHECK(answerHeader(request, Encoding::Utf8).confirmationDate == model::JapanDate::today().str());
}

TEST_CASE("any request's header is read, or an empty one when it has none", "[spec][envelope]") {
    auto doc = parseXml("<XmlMsg><MessageHeader><QualificationConfirmationDate>20261124</QualificationConfirmationDate>"
                        "<MedicalInstitutionCode>1312345679</MedicalInstitutionCode>"
                        "<ArbitraryFileIdentifier>F-2</ArbitraryFileIdentifier></MessageHeader><MessageBody/></XmlMsg>");
    auto h = decodeAnyRequestHeader(doc.root);
    CHECK(h.confirmationDate == "20261124");
    CHECK(h.institutionCode == "1312345679");
    CHECK(h.arbitraryFileIdentifier == "F-2");
    auto none = decodeAnyRequestHeader(parseXml("<XmlMsg><MessageBody/></XmlMsg>").root);
    CHECK(none.institutionCode.empty());
}
