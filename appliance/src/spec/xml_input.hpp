// First stage of reading an interface file (private to spec/): size and emptiness checks, the UTF-8 BOM,
// the encoding named in the XML declaration, conversion to UTF-8 and character checks, so that the XML
// reader only ever sees valid UTF-8 with line ends normalised to LF.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "spec/xml.hpp"

namespace kh::spec::detail {

struct DecodedInput {
    std::string text;  // UTF-8, no BOM, CR LF and lone CR turned into LF
    Encoding encoding = Encoding::Utf8;
};

// Throws KakehashiError TooLarge, EmptyRequest, BadEncoding or MalformedXml (bad declaration syntax,
// control characters XML 1.0 does not allow).
DecodedInput decodeInput(std::string_view bytes, size_t maxBytes);

// "line L, column C" (1-based, columns in bytes) of an offset, for error messages that must not quote content.
std::string describePosition(std::string_view text, size_t offset);

}  // namespace kh::spec::detail
