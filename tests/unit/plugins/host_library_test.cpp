// Tests of the host library plugins call as `kakehashi.*`: the C++ pieces directly, and the Lua surface
// through snippets run in a real sandbox.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "snippets.hpp"

#include "model/japan_date.hpp"
#include "plugins/host_library.hpp"
#include "plugins/sandbox.hpp"

using namespace kh::plugins;
using kh::model::ErrorId;

namespace {
using kh::test::Snippets;

Value str(const std::string& s) { return Value::fromString(s); }
}  // namespace

TEST_CASE("CSV with quotes, commas and line breaks round-trips", "[plugins][host][csv]") {
    const std::vector<std::vector<std::string>> rows = {
        {"患者番号", "記号", "メモ"}, {"P,0005", "記号\"1\"", "1行目\r\n2行目"}, {"", "a", ""}};
    const std::string text = formatCsv(rows);
    CHECK(text == "患者番号,記号,メモ\r\n\"P,0005\",\"記号\"\"1\"\"\",\"1行目\r\n2行目\"\r\n,a,\r\n");
    CHECK(parseCsv(text) == rows);
    CHECK(parseCsv("a,b\nc,d\n\n") == std::vector<std::vector<std::string>>{{"a", "b"}, {"c", "d"}});
    CHECK_THROWS_WITH(parseCsv("a,\"b\nc"), Catch::Contains("unterminated quoted field") && Catch::Contains("line 1"));
    CHECK_THROWS_WITH(parseCsv("a\n\"b\"x"), Catch::Contains("after a closing quote on line 2"));
}

TEST_CASE("kakehashi.csv parses rows and header records and formats with CRLF", "[plugins][host][csv]") {
    Snippets lua;
    CHECK(lua.text(
              "local r = kakehashi.csv.parse('番号,名前\\r\\n\"1,2\",\"山田\"\"太郎\"\\r\\n3\\r\\n', {header = true})\n"
              "return r[1]['番号'] .. '|' .. r[1]['名前'] .. '|' .. r[2]['番号'] .. '|' .. tostring(r[2]['名前'])") ==
          "1,2|山田\"太郎|3|nil");
    CHECK(lua.text("return kakehashi.csv.format(kakehashi.csv.parse('a,\"b,c\"\\n1,2'))") == "a,\"b,c\"\r\n1,2\r\n");
    CHECK_THAT(lua.error("return kakehashi.csv.format({{'a', {}}})"), Catch::Contains("row 1, field 2"));
}

TEST_CASE("Shift_JIS round-trips ①, half-width kana and 〓", "[plugins][host][sjis]") {
    Snippets lua;
    const std::string utf8 = "①ﾊﾝｶｸ〓漢字";
    const std::string cp932 = "\x87\x40\xCA\xDD\xB6\xB8\x81\xAC\x8A\xBF\x8E\x9A";
    CHECK(lua.text("return kakehashi.sjis.from_utf8(...)", {str(utf8)}) == cp932);
    CHECK(lua.text("return kakehashi.sjis.to_utf8(...)", {str(cp932)}) == utf8);
    CHECK_THAT(lua.error("return kakehashi.sjis.to_utf8('\\x81')"), Catch::Contains("invalid Shift_JIS"));
}

TEST_CASE("fixed-width slices and pads never split a double-byte character", "[plugins][host][fixed]") {
    const std::string line = "AB\x8A\xBF\x8E\x9A\xB1  12  ";  // AB 漢 字 ｱ, then "  12  "
    CHECK(sliceFixed(line, 3, 4) == "漢字");
    CHECK(sliceFixed(line, 4, 2) == "〓〓");  // trail byte of 漢, lead byte of 字
    CHECK(sliceFixed(line, 1, 3) == "AB〓");
    CHECK(sliceFixed(line, 7, 1) == "ｱ");
    CHECK(sliceFixed(line, 8, 6) == "12");  // trimmed
    CHECK(sliceFixed(line, 40, 5) == "");
    CHECK_THROWS(sliceFixed(line, 0, 2));

    CHECK(padFixed("漢字ab", 5, false) ==
          "\x8A\xBF\x8E\x9A"
          "a");
    CHECK(padFixed("漢字", 3, false) == "\x8A\xBF ");  // 字 would not fit whole
    CHECK(padFixed("12", 5, true) == "   12");
    CHECK(padFixed("ｱ", 2, false) == "\xB1 ");

    Snippets lua;
    CHECK(lua.text("return kakehashi.fixed.slice(kakehashi.fixed.pad('山田', 6, 'right'), 3, 4)") == "山田");
    CHECK(lua.text("return kakehashi.fixed.digits(42, 5) .. kakehashi.fixed.digits('007', 4)") == "000420007");
    CHECK_THAT(lua.error("return kakehashi.fixed.digits(123456, 3)"), Catch::Contains("more than 3 digits"));
    CHECK_THAT(lua.error("return kakehashi.fixed.pad('x', 3, 'middle')"), Catch::Contains("invalid option"));
}

TEST_CASE("wareki dates convert to YYYYMMDD within each era's bounds", "[plugins][host][date]") {
    std::string why;
    const auto from = [&](const char* s) { return fromWareki(s, why).value_or("-"); };
    CHECK(from("R6.1.5") == "20240105");
    CHECK(from("令和6年1月5日") == "20240105");
    CHECK(from("H31.4.30") == "20190430");
    CHECK(from("S45.12.1") == "19701201");
    CHECK(from("s45.12.01") == "19701201");
    CHECK(from("平成元年5月1日") == "19890501");
    CHECK(from("R元.5.1") == "20190501");
    CHECK(from("昭和64年1月7日") == "19890107");
    CHECK(from("H1.1.8") == "19890108");
    CHECK(from("T15.12.24") == "19261224");
    CHECK(from("M45.7.29") == "19120729");
    CHECK(from(" R6.1.5 ") == "20240105");

    CHECK(from("H31.5.1") == "-");
    CHECK_THAT(why, Catch::Contains("平成の期間外") && Catch::Contains("2019年4月30日"));
    CHECK(from("R1.4.30") == "-");
    CHECK(from("昭和64年1月8日") == "-");
    CHECK(from("H1.1.7") == "-");
    CHECK(from("T15.12.25") == "-");
    CHECK(from("M45.7.30") == "-");
    CHECK(from("R6.2.30") == "-");
    CHECK(why == "存在しない日付です");
    CHECK(from("X1.1.1") == "-");
    CHECK_THAT(why, Catch::Contains("読めません"));
    CHECK(from("令和6年1月5") == "-");
}

TEST_CASE("YYYYMMDD converts to wareki in letter and kanji style, year 1 as 元年", "[plugins][host][date]") {
    std::string why;
    const auto to = [&](const char* s, bool kanji) { return toWareki(s, kanji, why).value_or("-"); };
    CHECK(to("20240105", false) == "R6.01.05");
    CHECK(to("20240105", true) == "令和6年1月5日");
    CHECK(to("20190501", true) == "令和元年5月1日");
    CHECK(to("20190501", false) == "R1.05.01");
    CHECK(to("20190430", false) == "H31.04.30");
    CHECK(to("19890107", true) == "昭和64年1月7日");
    CHECK(to("18000101", false) == "-");
    CHECK(to("20240230", false) == "-");

    Snippets lua;
    CHECK(lua.text("return kakehashi.date.to_wareki(kakehashi.date.from_wareki('平成元年5月1日'), 'kanji')") ==
          "平成元年5月1日");
    CHECK(lua.text("local d, why = kakehashi.date.from_wareki('H31.5.1') return tostring(d) .. '|' .. why") ==
          "nil|平成の期間外の日付です（1989年1月8日～2019年4月30日）");
    CHECK(lua.text("return kakehashi.date.today()") == kh::model::JapanDate::today().str());
}

TEST_CASE("JSON round-trips Japanese text, nesting and null", "[plugins][host][json]") {
    const std::string canonical =
        R"({"list":[1,2.5,true,null,{"a":[]}],"n":-3,"名前":"山田 太郎","改行":"a\nb\u0001"})";
    CHECK(writeJson(parseJson(canonical)) == canonical);
    CHECK(parseJson(R"("\u3042\ud83d\ude00")").text == "あ😀");
    CHECK_THROWS_WITH(parseJson("{\"a\":}"), Catch::Contains("json.decode") && Catch::Contains("byte 6"));
    CHECK_THROWS_WITH(parseJson("\"\\ud800\""), Catch::Contains("surrogate"));
    CHECK_THROWS(parseJson("01"));
    CHECK_THROWS(parseJson("[1,]"));
    CHECK_THROWS(parseJson("\"\xff\""));
    CHECK_THROWS_WITH(parseJson(std::string(65, '[') + std::string(65, ']')), Catch::Contains("64"));
    CHECK_NOTHROW(parseJson(std::string(64, '[') + std::string(64, ']')));

    Snippets lua;
    CHECK(lua.text("return kakehashi.json.encode(kakehashi.json.decode(...))", {str(canonical)}) == canonical);
    CHECK(lua.text("local v = kakehashi.json.decode('[null]') return tostring(v[1] == kakehashi.json.null)") == "true");
    CHECK(lua.text("return kakehashi.json.encode({ok = true, count = 3, ratio = 0.3, empty = {}})") ==
          R"({"count":3,"empty":[],"ok":true,"ratio":0.3})");
    CHECK_THAT(lua.error("return kakehashi.json.encode({1, x = 2})"), Catch::Contains("both an array and an object"));
    CHECK_THAT(lua.error("return kakehashi.json.encode({f = print or function() end})"), Catch::Contains("function"));
    CHECK_THAT(lua.error("local t = {} t.t = t return kakehashi.json.encode(t)"), Catch::Contains("64"));
    CHECK_THAT(lua.error("return kakehashi.json.encode('\\x83\\x41')"), Catch::Contains("not UTF-8"));
    CHECK_THAT(lua.error("return kakehashi.json.decode('{')"), Catch::Contains("json.decode"));
}

TEST_CASE("record.inquiry normalises a valid inquiry and names the fields of an invalid one",
          "[plugins][host][record]") {
    Snippets lua;
    const Value ok = lua.run(
        "return kakehashi.record.inquiry{insurerNumber = ' 01130012 ', cardSymbol = '１２－３４',"
        " cardNumber = '5678 ', branchNumber = '01', birthDate = '19800101', arbitraryIdentifier = 'P1'}");
    REQUIRE(ok.isTable());
    CHECK(ok.field("insurerNumber")->text == "01130012");
    CHECK(ok.field("cardSymbol")->text == "１２－３４");
    CHECK(ok.field("cardNumber")->text == "5678");
    CHECK(ok.field("limitCertificateConsent")->boolean == false);

    const Value bad = lua.run(
        "local q, errors = kakehashi.record.inquiry{insurerNumber = '01130013', cardNumber = 5678,"
        " birthDate = '19800101'} return {q = q, errors = errors}");
    CHECK(bad.field("q") == nullptr);
    const Value& errors = *bad.field("errors");
    REQUIRE(errors.items.size() == 2);
    CHECK(errors.items[0].field("field")->text == "InsuredIdentificationNumber");
    CHECK_THAT(errors.items[0].field("message")->text, Catch::Contains("文字列"));
    CHECK(errors.items[1].field("field")->text == "InsurerNumber");
    CHECK_THAT(errors.items[1].field("message")->text, Catch::Contains("検証番号"));
}

TEST_CASE("check.insurer and check.institution apply the check digits", "[plugins][host][record]") {
    Snippets lua;
    CHECK(lua.text("local c = kakehashi.check return tostring(c.insurer('01130012')) .. tostring(c.insurer('01130013'))"
                   " .. tostring(c.institution('1312345679')) .. tostring(c.institution(1312345679))") ==
          "truefalsetruefalse");
}

TEST_CASE("kakehashi.settings shows the visible settings", "[plugins][host][settings]") {
    Snippets lua;
    CHECK(lua.text("return kakehashi.settings.mode") == "test");
    CHECK(lua.text("return kakehashi.json.encode(kakehashi.settings)") == R"({"mode":"test"})");
    CHECK_THAT(lua.error("kakehashi.settings.mode = 'live'"), Catch::Contains("read-only"));
}

TEST_CASE("require does not follow a symlink out of the plugin's folder", "[plugins][host][sandbox]") {
    Snippets lua;
    REQUIRE(::symlink("/etc/passwd", (lua.dir() + "/outside.lua").c_str()) == 0);
    CHECK_THAT(lua.error("return require('outside')"), Catch::Contains("module not allowed: outside"));
}
