#include "base/json_string.hpp"

namespace kh::base {

void appendJsonString(std::string& out, std::string_view s) {
    static const char* hexDigits = "0123456789abcdef";
    out += '"';
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20) {
            out += "\\u00";
            out += hexDigits[c >> 4];
            out += hexDigits[c & 15];
        } else {
            out += char(c);
        }
    }
    out += '"';
}

}  // namespace kh::base
