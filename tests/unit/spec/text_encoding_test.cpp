// Tests of the CP932 (Shift_JIS) ⇄ UTF-8 conversions that receipt-computer files depend on.
#include <catch2/catch.hpp>

#include "../error_of.hpp"
#include "model/errors.hpp"
#include "spec/xml.hpp"

using kh::model::ErrorId;
using kh::model::KakehashiError;
using kh::test::errorOf;
using namespace kh::spec;

TEST_CASE("CP932 characters receipt computers use round-trip through UTF-8", "[spec][encoding]") {
    struct Sample {
        const char* utf8;
        const char* cp932;
    };
    const Sample samples[] = {
        {"①", "\x87\x40"},          {"Ⅲ", "\x87\x56"},       {"～", "\x81\x60"},  // U+FF5E FULLWIDTH TILDE
        {"〓", "\x81\xAC"},          {"　", "\x81\x40"},       {"ﾔﾏﾀﾞ ﾀﾛｳ", "\xD4\xCF\xC0\xDE\x20\xC0\xDB\xB3"},
        {"山田", "\x8E\x52\x93\x63"}, {"髙", "\xFB\xFC"},       {"ABC 123\\~", "ABC 123\\~"},
    };
    for (const auto& s : samples) {
        INFO("sample " << s.utf8);
        CHECK(utf8ToCp932(s.utf8) == s.cp932);
        CHECK(cp932ToUtf8(s.cp932) == s.utf8);
    }
}

TEST_CASE("characters CP932 cannot hold become 〓 one by one", "[spec][encoding]") {
    CHECK(utf8ToCp932("A𠮷B") == "A\x81\xAC" "B");
    CHECK(utf8ToCp932("😀😀") == "\x81\xAC\x81\xAC");
    CHECK(utf8ToCp932("x\xFFy") == "x\x81\xACy");  // a stray byte is one unmappable character
    CHECK(utf8ToCp932("") == "");
}

TEST_CASE("invalid CP932 bytes are refused as BadEncoding", "[spec][encoding]") {
    CHECK(errorOf([] { cp932ToUtf8("ok\x80"); }) == ErrorId::BadEncoding);
    CHECK(errorOf([] { cp932ToUtf8("\x85\x40"); }) == ErrorId::BadEncoding);  // unassigned row
    CHECK(errorOf([] { cp932ToUtf8("\x82"); }) == ErrorId::BadEncoding);      // truncated double byte
}
