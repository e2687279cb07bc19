// Tests of the XML writer: exact output, escaping, and Shift_JIS (CP932) encoding with 〓 for the rest.
#include <catch2/catch.hpp>

#include "spec/xml.hpp"

using namespace kh::spec;

namespace {
XmlElement sample() {
    XmlElement root{"XmlMsg", {}, {}};
    XmlElement& header = root.add("MessageHeader");
    header.add("Name", "山田①");
    header.add("Empty");
    return root;
}
}  // namespace

TEST_CASE("UTF-8 output is stable: declaration, two-space indent, self-closing empty elements", "[spec][xml]") {
    CHECK(writeXml(sample(), Encoding::Utf8) ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
          "<XmlMsg>\n"
          "  <MessageHeader>\n"
          "    <Name>山田①</Name>\n"
          "    <Empty/>\n"
          "  </MessageHeader>\n"
          "</XmlMsg>\n");
}

TEST_CASE("Shift_JIS output is CP932 byte for byte", "[spec][xml]") {
    CHECK(writeXml(sample(), Encoding::ShiftJis) ==
          "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\n"
          "<XmlMsg>\n"
          "  <MessageHeader>\n"
          "    <Name>\x8E\x52\x93\x63\x87\x40</Name>\n"
          "    <Empty/>\n"
          "  </MessageHeader>\n"
          "</XmlMsg>\n");
}

TEST_CASE("Shift_JIS output turns characters outside CP932 into 〓", "[spec][xml]") {
    XmlElement root{"r", "𠮷野家", {}};
    const std::string out = writeXml(root, Encoding::ShiftJis);
    CHECK(out.find("<r>\x81\xAC\x96\xEC\x89\xC6</r>") != std::string::npos);
}

TEST_CASE("text is escaped and read back unchanged", "[spec][xml]") {
    const std::string text = "a & b < c > d \"q\" 'a'\ttab\nline\r\n  end  ";
    XmlElement root{"r", text, {}};
    const std::string out = writeXml(root, Encoding::Utf8);
    CHECK(out.find("<r>a &amp; b &lt; c &gt; d \"q\" 'a'&#9;tab&#10;line&#13;&#10;  end  </r>") != std::string::npos);
    CHECK(parseXml(out).root.text == text);
}

TEST_CASE("control characters and broken UTF-8 are written as U+FFFD so the output stays well-formed", "[spec][xml]") {
    XmlElement root{"r", std::string("a\x01" "b\xFF" "c", 5), {}};
    const std::string out = writeXml(root, Encoding::Utf8);
    CHECK(parseXml(out).root.text == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
}
