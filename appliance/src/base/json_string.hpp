// The one JSON string escaper (log lines, backup archives, every JSON answer): '"' and '\' escaped,
// \n \r \t in their short forms, other control characters as \u00XX, every other byte kept as it is
// (the text is UTF-8 already).
#pragma once
#include <string>
#include <string_view>

namespace kh::base {

void appendJsonString(std::string& out, std::string_view s);

}  // namespace kh::base
