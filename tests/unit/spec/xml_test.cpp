// Tests of the hardened XML reader: what it keeps, and every kind of document it must refuse.
#include <catch2/catch.hpp>

#include <string>

#include "model/errors.hpp"
#include "spec/xml.hpp"

using kh::model::ErrorId;
using kh::model::KakehashiError;
using namespace kh::spec;

namespace {
ErrorId refusal(std::string_view doc, const ParseLimits& limits = {}) {
    try {
        parseXml(doc, limits);
    } catch (const KakehashiError& e) {
        return e.id();
    }
    FAIL("document was accepted");
    return ErrorId::Internal;
}

std::string refusalMessage(std::string_view doc) {
    try {
        parseXml(doc);
    } catch (const KakehashiError& e) {
        return e.what();
    }
    return {};
}

std::string nested(int depth) {
    std::string doc;
    for (int i = 0; i < depth; ++i) doc += "<a>";
    for (int i = 0; i < depth; ++i) doc += "</a>";
    return doc;
}
}  // namespace

TEST_CASE("elements, text, CDATA and references are read; comments, PIs and attributes dropped", "[spec][xml]") {
    const auto parsed = parseXml(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><?pi x?>\n"
        "<ns:Root xmlns:ns=\"urn:x\" a='1'><ns:Name kind=\"x &amp; y\">A &lt;&gt;&amp;&apos;&quot; &#x5C71;&#30000;</ns:Name>"
        "<Cdata><![CDATA[<not markup> & ]]></Cdata><!-- inside --><Empty/><Pi><?skip me?>t</Pi></ns:Root>\n<!-- after -->\n");
    const XmlElement& root = parsed.root;
    CHECK(parsed.encoding == Encoding::Utf8);
    CHECK(root.name == "Root");
    REQUIRE(root.children.size() == 4);
    CHECK(root.childText("Name") == "A <>&'\" 山田");
    CHECK(root.childText("Cdata") == "<not markup> & ");
    CHECK(root.child("Empty") != nullptr);
    CHECK(root.childText("Empty").empty());
    CHECK(root.childText("Pi") == "t");
    CHECK(root.childText("Missing").empty());
    CHECK(root.child("Missing") == nullptr);
}

TEST_CASE("text is kept untrimmed and line ends become LF", "[spec][xml]") {
    const auto root = parseXml("<r><n>  123456</n><m>a\r\nb\rc</m></r>").root;
    CHECK(root.childText("n") == "  123456");
    CHECK(root.childText("m") == "a\nb\nc");
}

TEST_CASE("indentation between child elements is not kept as text, so relaying does not grow it", "[spec][xml]") {
    const std::string indented = "<r>\r\n  <u>\n    <a> 1 </a>\n    <b/>\n  </u>\n  <t>  </t>\n</r>";
    const auto root = parseXml(indented).root;
    CHECK(root.text.empty());
    CHECK(root.child("u")->text.empty());
    CHECK(root.child("u")->childText("a") == " 1 ");
    CHECK(root.childText("t") == "  ");  // an element without children keeps its white space: it is its value
    const std::string written = writeXml(root, Encoding::Utf8);
    CHECK(written.find("&#10;") == std::string::npos);
    CHECK(writeXml(parseXml(written).root, Encoding::Utf8) == written);
    // Mixed content keeps its text without the indentation around it, so writing and reading is stable.
    const auto mixed = parseXml("<r>\n  PE \n  <a>1</a>\n</r>").root;
    CHECK(mixed.text == "PE");
    const std::string once = writeXml(mixed, Encoding::Utf8);
    CHECK(writeXml(parseXml(once).root, Encoding::Utf8) == once);
}

TEST_CASE("childrenNamed returns every repeated child in document order", "[spec][xml]") {
    const auto root = parseXml("<r><u>1</u><x/><u>2</u></r>").root;
    const auto units = root.childrenNamed("u");
    REQUIRE(units.size() == 2);
    CHECK(units[0]->text == "1");
    CHECK(units[1]->text == "2");
}

TEST_CASE("a UTF-8 BOM is skipped", "[spec][xml]") {
    const auto parsed = parseXml("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><r>ｱ</r>");
    CHECK(parsed.root.text == "ｱ");
    CHECK(parsed.encoding == Encoding::Utf8);
}

TEST_CASE("Shift_JIS aliases in the declaration are read as CP932", "[spec][xml]") {
    for (const char* name : {"Shift_JIS", "shift_jis", "SJIS", "CP932", "Windows-31J", "MS_Kanji"}) {
        INFO(name);
        const auto parsed = parseXml(std::string("<?xml version='1.0' encoding='") + name + "'?><r>\x87\x40</r>");
        CHECK(parsed.encoding == Encoding::ShiftJis);
        CHECK(parsed.root.text == "①");
    }
}

TEST_CASE("DTDs are refused: billion laughs, external entities, bare DOCTYPE", "[spec][xml][security]") {
    const char* billionLaughs =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n<lolz>&lol3;</lolz>";
    const char* externalEntity =
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><r>&xxe;</r>";
    CHECK(refusal(billionLaughs) == ErrorId::ForbiddenDtd);
    CHECK(refusal(externalEntity) == ErrorId::ForbiddenDtd);
    CHECK(refusal("<!DOCTYPE r SYSTEM \"http://example.invalid/r.dtd\"><r/>") == ErrorId::ForbiddenDtd);
    CHECK(refusal("<r><!ENTITY x \"y\"></r>") == ErrorId::ForbiddenDtd);
    CHECK(refusal("<?xml version='1.0' encoding='Shift_JIS'?><!doctype r><r/>") == ErrorId::ForbiddenDtd);
}

TEST_CASE("nesting deeper than the limit is refused as TooDeep", "[spec][xml][security]") {
    CHECK_NOTHROW(parseXml(nested(32)));
    CHECK(refusal(nested(33)) == ErrorId::TooDeep);
    CHECK(refusal(nested(200000)) == ErrorId::TooDeep);  // hostile depth: no stack overflow
    ParseLimits shallow;
    shallow.maxDepth = 2;
    CHECK(refusal("<a><b><c/></b></a>", shallow) == ErrorId::TooDeep);
}

TEST_CASE("size and element-count caps are refused as TooLarge", "[spec][xml][security]") {
    ParseLimits small;
    small.maxBytes = 16;
    CHECK_NOTHROW(parseXml("<r>012345678</r>", small));  // exactly 16 bytes
    CHECK(refusal("<r>0123456789</r>", small) == ErrorId::TooLarge);
    ParseLimits few;
    few.maxElements = 3;
    CHECK_NOTHROW(parseXml("<r><a/><b/></r>", few));
    CHECK(refusal("<r><a/><b/><c/></r>", few) == ErrorId::TooLarge);
}

TEST_CASE("empty and white-space-only documents are EmptyRequest", "[spec][xml]") {
    CHECK(refusal("") == ErrorId::EmptyRequest);
    CHECK(refusal(" \r\n\t ") == ErrorId::EmptyRequest);
    CHECK(refusal("\xEF\xBB\xBF") == ErrorId::EmptyRequest);
}

TEST_CASE("encoding problems are BadEncoding", "[spec][xml]") {
    CHECK(refusal("<r>\xC3\x28</r>") == ErrorId::BadEncoding);          // broken UTF-8
    CHECK(refusal("<r>\xC0\xAF</r>") == ErrorId::BadEncoding);          // overlong '/'
    CHECK(refusal("<r>\xED\xA0\x80</r>") == ErrorId::BadEncoding);      // surrogate
    CHECK(refusal("<r>\x8E\x52</r>") == ErrorId::BadEncoding);          // Shift_JIS without a declaration
    CHECK(refusal("<?xml version='1.0' encoding='EUC-JP'?><r/>") == ErrorId::BadEncoding);
    CHECK(refusal("<?xml version='1.0' encoding='Shift_JIS'?><r>\x80</r>") == ErrorId::BadEncoding);
    CHECK(refusal("\xEF\xBB\xBF<?xml version='1.0' encoding='Shift_JIS'?><r/>") == ErrorId::BadEncoding);
}

TEST_CASE("malformed documents are MalformedXml", "[spec][xml]") {
    const char* docs[] = {
        "<r>&nbsp;</r>",          // entity other than the five predefined
        "<r>&amp</r>",            // unterminated reference
        "<r>&#0;</r>",            // not an XML character
        "<r>&#xD800;</r>",        // surrogate
        "<r>&#x110000;</r>",      // beyond Unicode
        "<r>&#xZZ;</r>",          // not hex
        "<r>&#;</r>",             // no digits
        "<a><b></a></b>",         // mismatched tags
        "<a></b>",                // mismatched tags
        "<a>",                    // unclosed
        "</a>",                   // end tag without start
        "<a/><b/>",               // two roots
        "text<a/>",               // text outside the root
        "<a/>text",               // text after the root
        "<!-- only a comment -->",// no root
        "<a b=c/>",               // unquoted attribute
        "<a b='<'/>",             // '<' in an attribute value
        "<a b='x&foo;'/>",        // unknown entity in an attribute
        "<a><![CDATA[x</a>",      // unterminated CDATA
        "<a><!-- x</a>",          // unterminated comment
        "<a>]]></a>",             // CDATA end in text
        "<a>\x01</a>",            // control character
        "<1a/>",                  // bad name
        "<a><?xml version='1.0'?></a>",  // declaration not at the start
        "<a:/>",                  // empty local name
        "<a:1b/>",                // local name starting with a digit
        "<a b='1'c='2'/>",        // attributes without white space between
        "<?xml version=1.0?><a/>",// malformed declaration
    };
    for (const char* doc : docs) {
        INFO(doc);
        CHECK(refusal(doc) == ErrorId::MalformedXml);
    }
}

TEST_CASE("error messages give the position, never the content", "[spec][xml]") {
    const std::string message = refusalMessage("<r>\n  <Name>ヤマダ&secret;</Name>\n</r>");
    CHECK(message.find("line 2") != std::string::npos);
    CHECK(message.find("ヤマダ") == std::string::npos);
    CHECK(message.find("secret") == std::string::npos);
}
