// The XML writer for result files: declaration, one element per line indented by two spaces, text escaped,
// no attributes. Output is UTF-8 or, for receipt computers that sent Shift_JIS, CP932 with 〓 for any
// character CP932 cannot hold.
#include "spec/text_encoding.hpp"
#include "spec/xml.hpp"

namespace kh::spec {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD, becomes 〓 in Shift_JIS output

// Escapes text for an element body. TAB, LF and CR are written as references so they survive a reader's
// white-space and line-end handling; other C0 controls and broken UTF-8 cannot appear in XML and are
// written as U+FFFD.
void appendEscaped(std::string& out, std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        const size_t n = detail::utf8SequenceLength(text, i);
        if (n == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '\t': out += "&#9;"; break;
        case '\n': out += "&#10;"; break;
        case '\r': out += "&#13;"; break;
        case '\x7F': out += "&#127;"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20)
                out += kReplacement;
            else
                out.append(text, i, n);
        }
        i += n;
    }
}

void appendIndent(std::string& out, int depth) { out.append(static_cast<size_t>(depth) * 2, ' '); }

// Recursion is bounded by the tree the caller built; parsed trees are capped by ParseLimits::maxDepth.
void appendElement(std::string& out, const XmlElement& e, int depth) {
    appendIndent(out, depth);
    out += '<';
    out += e.name;
    if (e.text.empty() && e.children.empty()) {
        out += "/>\n";
        return;
    }
    out += '>';
    appendEscaped(out, e.text);
    if (!e.children.empty()) {
        out += '\n';
        for (const auto& c : e.children) appendElement(out, c, depth + 1);
        appendIndent(out, depth);
    }
    out += "</";
    out += e.name;
    out += ">\n";
}
}  // namespace

std::string writeXml(const XmlElement& root, Encoding encoding) {
    const bool sjis = encoding == Encoding::ShiftJis;
    std::string out = std::string("<?xml version=\"1.0\" encoding=\"") + (sjis ? "Shift_JIS" : "UTF-8") +
                      "\" standalone=\"no\"?>\n";
    appendElement(out, root, 0);
    return sjis ? utf8ToCp932(out) : out;
}

}  // namespace kh::spec
