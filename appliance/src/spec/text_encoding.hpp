// UTF-8 helpers shared by the XML reader and writer (private to spec/; the CP932 conversions are public in
// xml.hpp). Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace kh::spec::detail {

// Length (1–4) of the well-formed UTF-8 sequence starting at s[i], or 0 when it is not well-formed.
size_t utf8SequenceLength(std::string_view s, size_t i);

// Offset of the first byte that does not start a well-formed sequence, or s.size() when all is well.
size_t firstInvalidUtf8(std::string_view s);

// Appends the UTF-8 form of a Unicode scalar value (the caller has checked it is one).
void appendUtf8(std::string& out, char32_t codePoint);

}  // namespace kh::spec::detail
