// Decoding of the raw bytes of an interface file before XML parsing: size cap, empty check, BOM, the
// encoding pseudo-attribute of the XML declaration (UTF-8 or Shift_JIS/CP932) and character checks.
#include "spec/xml_input.hpp"

#include <algorithm>
#include <cctype>

#include "model/errors.hpp"
#include "spec/text_encoding.hpp"

namespace kh::spec::detail {
namespace {
using model::ErrorId;
using model::KakehashiError;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool isXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

size_t skipSpace(std::string_view s, size_t i) {
    while (i < s.size() && isXmlSpace(s[i])) ++i;
    return i;
}

[[noreturn]] void badDeclaration() {
    throw KakehashiError(ErrorId::MalformedXml, "malformed XML declaration");
}

// The pseudo-attributes of `<?xml version="1.0" encoding="…" standalone="no"?>`; returns the encoding
// value, or "" when the declaration names none. `decl` is the text between "<?xml" and "?>".
std::string encodingPseudoAttribute(std::string_view decl) {
    size_t i = 0;
    while ((i = skipSpace(decl, i)) < decl.size()) {
        size_t nameEnd = i;
        while (nameEnd < decl.size() && (std::isalpha(static_cast<unsigned char>(decl[nameEnd])))) ++nameEnd;
        std::string_view name = decl.substr(i, nameEnd - i);
        i = skipSpace(decl, nameEnd);
        if (name.empty() || i >= decl.size() || decl[i] != '=') badDeclaration();
        i = skipSpace(decl, i + 1);
        if (i >= decl.size() || (decl[i] != '"' && decl[i] != '\'')) badDeclaration();
        const size_t close = decl.find(decl[i], i + 1);
        if (close == std::string_view::npos) badDeclaration();
        if (name == "encoding") return std::string(decl.substr(i + 1, close - i - 1));
        i = close + 1;
    }
    return {};
}

// The encoding named by the XML declaration at the start of `doc` (leading white space tolerated).
std::string declaredEncodingName(std::string_view doc) {
    const size_t start = skipSpace(doc, 0);
    const std::string_view rest = doc.substr(start);
    if (rest.substr(0, 5) != "<?xml" || rest.size() < 6 || !(isXmlSpace(rest[5]) || rest[5] == '?')) return {};
    const size_t end = rest.find("?>");
    if (end == std::string_view::npos) badDeclaration();
    return encodingPseudoAttribute(rest.substr(5, end - 5));
}

Encoding encodingFromName(const std::string& name) {
    if (name.empty() || equalsIgnoringCase(name, "UTF-8")) return Encoding::Utf8;
    for (std::string_view sjis : {"Shift_JIS", "SJIS", "CP932", "Windows-31J", "MS_Kanji"})
        if (equalsIgnoringCase(name, sjis)) return Encoding::ShiftJis;
    throw KakehashiError(ErrorId::BadEncoding, "unsupported encoding in the XML declaration");
}

bool onlyWhiteSpace(std::string_view s) { return std::all_of(s.begin(), s.end(), isXmlSpace); }

// XML 1.0 line-end handling: CR LF and lone CR become LF.
std::string normaliseLineEnds(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\r') {
            out += s[i];
            continue;
        }
        out += '\n';
        if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    }
    return out;
}

// C0 control characters other than TAB and LF cannot appear in an XML 1.0 document, even as references.
void refuseControlCharacters(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\t' && c != '\n')
            throw KakehashiError(ErrorId::MalformedXml, "control character at " + describePosition(text, i));
    }
}

std::string toUtf8(std::string_view doc, Encoding encoding) {
    if (encoding == Encoding::ShiftJis) return cp932ToUtf8(doc);
    const size_t bad = firstInvalidUtf8(doc);
    if (bad != doc.size())
        throw KakehashiError(ErrorId::BadEncoding, "invalid UTF-8 at offset " + std::to_string(bad));
    return std::string(doc);
}
}  // namespace

std::string describePosition(std::string_view text, size_t offset) {
    offset = std::min(offset, text.size());
    const auto before = text.substr(0, offset);
    const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    const size_t lineStart = before.rfind('\n');
    const size_t column = 1 + (lineStart == std::string_view::npos ? offset : offset - lineStart - 1);
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

DecodedInput decodeInput(std::string_view bytes, size_t maxBytes) {
    if (bytes.size() > maxBytes)
        throw KakehashiError(ErrorId::TooLarge, "document exceeds " + std::to_string(maxBytes) + " bytes");
    const bool hasBom = bytes.substr(0, kBom.size()) == kBom;
    if (hasBom) bytes.remove_prefix(kBom.size());
    if (onlyWhiteSpace(bytes)) throw KakehashiError(ErrorId::EmptyRequest, "document is empty");

    DecodedInput input;
    input.encoding = encodingFromName(declaredEncodingName(bytes));
    if (hasBom && input.encoding != Encoding::Utf8)
        throw KakehashiError(ErrorId::BadEncoding, "UTF-8 byte order mark on a Shift_JIS document");
    input.text = normaliseLineEnds(toUtf8(bytes, input.encoding));
    refuseControlCharacters(input.text);
    return input;
}

}  // namespace kh::spec::detail
