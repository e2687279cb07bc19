// A small, hardened XML reader and writer for the external-interface documents (外部インターフェイス).
// Reading refuses any DTD (so no entity expansion, internal or external), caps size, depth and element
// count, and accepts only the five predefined entities and numeric character references.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kh::spec {

enum class Encoding { Utf8, ShiftJis };

struct XmlElement {
    std::string name;                 // local name; a namespace prefix is dropped
    std::string text;                 // concatenated character data (UTF-8), untrimmed
    std::vector<XmlElement> children;

    const XmlElement* child(std::string_view name) const;      // first child with that name
    std::string childText(std::string_view name) const;        // its text, or "" when absent
    std::vector<const XmlElement*> childrenNamed(std::string_view name) const;
    XmlElement& add(std::string name, std::string text = {});  // append a child and return it
};

struct ParseLimits {
    size_t maxBytes = 64u * 1024 * 1024;
    int maxDepth = 32;
    size_t maxElements = 2'000'000;
};

struct ParsedXml {
    XmlElement root;
    Encoding encoding = Encoding::Utf8;  // from the XML declaration (Shift_JIS/SJIS/CP932/Windows-31J → ShiftJis)
};

// Throws model::KakehashiError (MalformedXml, ForbiddenDtd, TooLarge, TooDeep, EmptyRequest, BadEncoding).
// A UTF-8 BOM is skipped. Shift_JIS input is decoded as CP932 to UTF-8.
ParsedXml parseXml(std::string_view bytes, const ParseLimits& limits = {});

// Writes `<?xml version="1.0" encoding="UTF-8" standalone="no"?>` (or Shift_JIS) and the tree, text
// escaped; Shift_JIS output is encoded as CP932. Characters CP932 cannot hold become 〓 (U+3013).
std::string writeXml(const XmlElement& root, Encoding encoding);

// CP932 <-> UTF-8 (throws KakehashiError BadEncoding on invalid input).
std::string cp932ToUtf8(std::string_view cp932);
std::string utf8ToCp932(std::string_view utf8);  // unmappable characters become 〓

}  // namespace kh::spec
