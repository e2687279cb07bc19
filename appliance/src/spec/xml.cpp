// The hardened XML reader for interface files (外部インターフェイス): an iterative parser over decoded UTF-8
// that refuses DTDs, unknown entities and malformed markup, and caps depth and element count. Only
// elements and their character data are kept; attributes, comments and processing instructions are
// checked for syntax and dropped.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "model/errors.hpp"
#include "spec/text_encoding.hpp"
#include "spec/xml.hpp"
#include "spec/xml_input.hpp"

namespace kh::spec {
namespace {
using model::ErrorId;
using model::KakehashiError;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n'; }
bool isAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isNameStart(char c) { return isAsciiLetter(c) || c == '_' || c == ':' || static_cast<unsigned char>(c) >= 0x80; }
bool isNameChar(char c) { return isNameStart(c) || isDigit(c) || c == '-' || c == '.'; }

bool isXmlChar(uint32_t cp) {
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
           (cp >= 0x10000 && cp <= 0x10FFFF);
}

std::string_view localName(std::string_view qualified) {
    const size_t colon = qualified.rfind(':');
    return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

class Reader {
public:
    Reader(std::string_view text, const ParseLimits& limits) : s_(text), limits_(limits) {}

    XmlElement document() {
        skipXmlDeclaration();
        while (pos_ < s_.size()) {
            if (s_[pos_] == '<')
                markup();
            else
                characterData();
        }
        if (!open_.empty()) fail("unclosed element at end of document");
        if (!root_) fail("no root element");
        return std::move(*root_);
    }

private:
    std::string_view s_;
    size_t pos_ = 0;
    const ParseLimits& limits_;
    std::vector<XmlElement> open_;       // elements whose end tag is still to come, outermost first
    std::vector<std::string> openTags_;  // their qualified names, to match end tags
    std::optional<XmlElement> root_;
    size_t elementCount_ = 0;

    [[noreturn]] void fail(const std::string& what) const { failAt(what, pos_); }
    [[noreturn]] void failAt(const std::string& what, size_t at) const {
        throw KakehashiError(ErrorId::MalformedXml, what + " at " + detail::describePosition(s_, at));
    }

    bool startsWith(std::string_view prefix) const { return s_.substr(pos_, prefix.size()) == prefix; }
    void skipSpace() {
        while (pos_ < s_.size() && isSpace(s_[pos_])) ++pos_;
    }
    void expect(char c, const char* what) {
        if (pos_ >= s_.size() || s_[pos_] != c) fail(what);
        ++pos_;
    }
    // Moves past the next `terminator`, returning what came before it.
    std::string_view until(std::string_view terminator, const char* what) {
        const size_t end = s_.find(terminator, pos_);
        if (end == std::string_view::npos) fail(what);
        const auto body = s_.substr(pos_, end - pos_);
        pos_ = end + terminator.size();
        return body;
    }

    void skipXmlDeclaration() {
        skipSpace();
        if (startsWith("<?xml") && pos_ + 5 < s_.size() && (isSpace(s_[pos_ + 5]) || s_[pos_ + 5] == '?'))
            until("?>", "unterminated XML declaration");
    }

    void markup() {
        if (startsWith("<?")) return processingInstruction();
        if (startsWith("<!--")) return comment();
        if (startsWith("<![CDATA[")) return cdata();
        if (startsWith("<!")) return declaration();
        if (startsWith("</")) return endTag();
        startTag();
    }

    void processingInstruction() {
        const size_t start = pos_;
        pos_ += 2;
        const std::string_view target = name("processing instruction without a target");
        if (target.size() == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' && (target[2] | 0x20) == 'l')
            failAt("XML declaration not at the start of the document", start);
        until("?>", "unterminated processing instruction");
    }

    void comment() {
        pos_ += 4;
        until("-->", "unterminated comment");
    }

    void cdata() {
        if (open_.empty()) fail("CDATA section outside the root element");
        pos_ += 9;
        const auto body = until("]]>", "unterminated CDATA section");
        open_.back().text.append(body);
    }

    // `<!DOCTYPE`, `<!ENTITY` and every other markup declaration: a DTD is never accepted.
    void declaration() {
        std::string keyword;
        for (size_t i = pos_ + 2; i < s_.size() && isAsciiLetter(s_[i]) && keyword.size() < 8; ++i)
            keyword += static_cast<char>(s_[i] & ~0x20);
        if (keyword == "DOCTYPE" || keyword == "ENTITY")
            throw KakehashiError(ErrorId::ForbiddenDtd, "document type declaration at " +
                                                            detail::describePosition(s_, pos_));
        fail("unexpected markup declaration");
    }

    std::string_view name(const char* what) {
        const size_t start = pos_;
        if (pos_ >= s_.size() || !isNameStart(s_[pos_])) fail(what);
        while (pos_ < s_.size() && isNameChar(s_[pos_])) ++pos_;
        return s_.substr(start, pos_ - start);
    }

    void startTag() {
        if (open_.empty() && root_) fail("content after the root element");
        ++pos_;
        const std::string_view tag = name("invalid element name");
        const std::string_view local = localName(tag);
        if (local.empty() || !isNameStart(local[0])) fail("invalid local part of an element name");
        openElement(tag, local);
        const bool selfClosing = attributes();
        if (selfClosing) closeElement();
    }

    void openElement(std::string_view tag, std::string_view local) {
        if (++elementCount_ > limits_.maxElements)
            throw KakehashiError(ErrorId::TooLarge, "more than " + std::to_string(limits_.maxElements) + " elements");
        if (open_.size() >= static_cast<size_t>(std::max(limits_.maxDepth, 0)))
            throw KakehashiError(ErrorId::TooDeep, "nesting deeper than " + std::to_string(limits_.maxDepth) +
                                                       " at " + detail::describePosition(s_, pos_));
        open_.push_back(XmlElement{std::string(local), {}, {}});
        openTags_.emplace_back(tag);
    }

    // Reads attributes up to `>` or `/>` (values are checked, then dropped); true when the tag self-closes.
    bool attributes() {
        for (;;) {
            const size_t before = pos_;
            skipSpace();
            if (startsWith("/>")) {
                pos_ += 2;
                return true;
            }
            if (startsWith(">")) {
                ++pos_;
                return false;
            }
            if (pos_ == before) fail("expected white space, '>' or '/>' in a start tag");
            attribute();
        }
    }

    void attribute() {
        name("invalid attribute name");
        skipSpace();
        expect('=', "expected '=' after an attribute name");
        skipSpace();
        if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) fail("attribute value without quotes");
        const char quote = s_[pos_++];
        std::string ignored;
        while (pos_ < s_.size() && s_[pos_] != quote) {
            if (s_[pos_] == '<') fail("'<' in an attribute value");
            if (s_[pos_] == '&')
                reference(ignored);
            else
                ++pos_;
        }
        expect(quote, "unterminated attribute value");
    }

    void endTag() {
        const size_t start = pos_;
        pos_ += 2;
        const std::string_view tag = name("invalid end tag");
        skipSpace();
        expect('>', "expected '>' to close an end tag");
        if (open_.empty() || openTags_.back() != tag) failAt("end tag does not match the open element", start);
        closeElement();
    }

    void closeElement() {
        XmlElement done = std::move(open_.back());
        open_.pop_back();
        // Around child elements, white space is the writer's indentation, not data: kept, it would pile up as
        // the element's text and be written back as character references, growing with every relay. Text an
        // element with children does carry (mixed content, which the interface never uses) keeps its middle.
        if (!done.children.empty()) {
            const auto first = std::find_if_not(done.text.begin(), done.text.end(), isSpace);
            const auto last = std::find_if_not(done.text.rbegin(), done.text.rend(), isSpace).base();
            done.text = first < last ? std::string(first, last) : std::string();
        }
        openTags_.pop_back();
        if (open_.empty())
            root_ = std::move(done);
        else
            open_.back().children.push_back(std::move(done));
    }

    // Text up to the next '<'; outside the root element only white space may appear.
    void characterData() {
        std::string discarded;
        std::string& out = open_.empty() ? discarded : open_.back().text;
        const size_t start = pos_;
        while (pos_ < s_.size() && s_[pos_] != '<') {
            if (s_[pos_] == '&') {
                reference(out);
                continue;
            }
            if (startsWith("]]>")) fail("']]>' in character data");
            out += s_[pos_++];
        }
        if (open_.empty())
            for (char c : discarded)
                if (!isSpace(c)) failAt("text outside the root element", start);
    }

    // `&lt;` `&gt;` `&amp;` `&apos;` `&quot;` and `&#…;` / `&#x…;`; appends the character to `out`.
    void reference(std::string& out) {
        const size_t start = pos_++;
        if (pos_ < s_.size() && s_[pos_] == '#') {
            ++pos_;
            return characterReference(out, start);
        }
        const size_t end = s_.find(';', pos_);
        const auto entity = end == std::string_view::npos ? std::string_view() : s_.substr(pos_, end - pos_);
        static constexpr std::pair<std::string_view, char> kPredefined[] = {
            {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"apos", '\''}, {"quot", '"'}};
        for (const auto& [entityName, c] : kPredefined) {
            if (entity == entityName) {
                out += c;
                pos_ = end + 1;
                return;
            }
        }
        failAt("unknown or unterminated entity reference", start);
    }

    void characterReference(std::string& out, size_t start) {
        const bool hex = pos_ < s_.size() && s_[pos_] == 'x';
        if (hex) ++pos_;
        uint32_t cp = 0;
        size_t digits = 0;
        for (; pos_ < s_.size() && s_[pos_] != ';'; ++pos_, ++digits) {
            const int d = digitValue(s_[pos_], hex);
            if (d < 0 || digits >= 8) failAt("invalid character reference", start);
            cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
        }
        if (digits == 0 || pos_ >= s_.size() || !isXmlChar(cp)) failAt("invalid character reference", start);
        ++pos_;
        detail::appendUtf8(out, cp);
    }

    static int digitValue(char c, bool hex) {
        if (isDigit(c)) return c - '0';
        if (!hex) return -1;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
};
}  // namespace

ParsedXml parseXml(std::string_view bytes, const ParseLimits& limits) {
    detail::DecodedInput input = detail::decodeInput(bytes, limits.maxBytes);
    ParsedXml parsed;
    parsed.encoding = input.encoding;
    parsed.root = Reader(input.text, limits).document();
    return parsed;
}

}  // namespace kh::spec
