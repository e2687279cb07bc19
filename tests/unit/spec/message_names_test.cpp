// Tests of the interface file names: kinds, result and error names, and refusal of unsafe names.
#include <catch2/catch.hpp>

#include "spec/messages.hpp"

using namespace kh::spec;

TEST_CASE("request file names map to message kinds", "[spec][names]") {
    CHECK(kindFromFileName("OQSsiquc01req_202611240001.xml") == MessageKind::SingleInquiry);
    CHECK(kindFromFileName("OQSmuquc01req_202611240001.xml") == MessageKind::BatchUpload);
    CHECK(kindFromFileName("OQSmuquc02req_202611240001.xml") == MessageKind::BatchDownload);
    CHECK(kindFromFileName("OQSsiimm01req_202611240001.xml") == MessageKind::ReferenceNumberSingle);
    CHECK(kindFromFileName("OQSmutic01req_202611240005.xml") == MessageKind::MedicalAidUpload);
    CHECK(kindFromFileName("OQSmutic02req_202611240006.xml") == MessageKind::MedicalAidDownload);
    CHECK(kindFromFileName("OQSsiquc01res_202611240001.xml") == MessageKind::Unknown);  // a result, not a request
}

TEST_CASE("result names swap req for res and keep the rest", "[spec][names]") {
    CHECK(resultFileName("OQSsiquc01req_202611240001.xml") == "OQSsiquc01res_202611240001.xml");
    CHECK(resultFileName("OQSmuquc02req_202611240007.xml") == "OQSmuquc02res_202611240007.xml");
    CHECK(resultFileName("OQSsiimm01req_ABC-1.XML") == "OQSsiimm01res_ABC-1.XML");
    CHECK(resultFileName("OQSsiquc01res_202611240001.xml").empty());
}

TEST_CASE("error names replace the extension with .err", "[spec][names]") {
    CHECK(errorFileName("OQSsiquc01req_202611240001.xml") == "OQSsiquc01req_202611240001.err");
    CHECK(errorFileName("OQSmuquc01req_202611240002.xml") == "OQSmuquc01req_202611240002.err");
    CHECK(errorFileName("notes.txt").empty());
}

TEST_CASE("names that could leave the folder or break the pattern are refused", "[spec][names][security]") {
    const char* bad[] = {
        "../OQSsiquc01req_202611240001.xml",
        "OQSsiquc01req_../../etc/passwd.xml",
        "OQSsiquc01req_..xml",
        "OQSsiquc01req_2026..01.xml",
        "sub/OQSsiquc01req_202611240001.xml",
        "sub\\OQSsiquc01req_202611240001.xml",
        "OQSsiquc01req_.xml",
        "OQSsiquc01req202611240001.xml",
        "OQSsiquc03req_202611240001.xml",
        "OQSxxquc01req_202611240001.xml",
        "OQSsiQUC01req_202611240001.xml",
        "OQSsiquc01req_202611240001.zip",
        "OQSsiquc01req_2026 1124.xml",
        "oqssiquc01req_202611240001.xml",
        "",
    };
    for (const char* name : bad) {
        INFO(name);
        CHECK(kindFromFileName(name) == MessageKind::Unknown);
        CHECK(resultFileName(name).empty());
        CHECK(errorFileName(name).empty());
    }
}
