// A JSON string literal for text the box writes itself (log lines, backup archives): '"' and '\' escaped,
// control characters as \u00XX, every other byte kept as it is (the text is UTF-8 already).
#pragma once
#include <string>
#include <string_view>

namespace kh::base {

void appendJsonString(std::string& out, std::string_view s);

}  // namespace kh::base
