// A small, hardened XML reader and writer for the external-interface documents (外部インターフェイス).
// Reading refuses any DTD (so no entity expansion, internal or external), caps size, depth and element
// count, and accepts only the five predefined entities and numeric character references.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/element.hpp"

namespace kh::spec {

enum class Encoding { Utf8, ShiftJis };

// The tree every message is read into and written from (model/element.hpp).
using XmlElement = model::Element;

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
