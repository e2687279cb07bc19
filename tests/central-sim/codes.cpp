#include "codes.hpp"

#include "japan_time.hpp"

namespace ksim {

int checkDigit(const std::string& digits) {
    int sum = 0;
    int weight = 2;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int product = (*it - '0') * weight;
        sum += product / 10 + product % 10;
        weight = weight == 2 ? 1 : 2;
    }
    return (10 - sum % 10) % 10;
}

std::string withCheckDigit(const std::string& digits) {
    return digits + static_cast<char>('0' + checkDigit(digits));
}

bool isAllDigits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

static bool hasValidTrailingCheck(const std::string& s) {
    return checkDigit(s.substr(0, s.size() - 1)) == s.back() - '0';
}

bool isValidInsurerNumber(const std::string& raw) {
    std::string s = trimmed(raw);
    if (!isAllDigits(s) || (s.size() != 8 && s.size() != 6)) return false;
    return hasValidTrailingCheck(s);
}

bool isValidInstitutionCode(const std::string& code) {
    return code.size() == 10 && isAllDigits(code) && hasValidTrailingCheck(code);
}

bool isDate8(const std::string& s) {
    if (s.size() != 8 || !isAllDigits(s)) return false;
    int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(4, 2)), d = std::stoi(s.substr(6, 2));
    if (m < 1 || m > 12 || d < 1) return false;
    return d <= daysInMonth(y, m);
}

bool isTimestamp14(const std::string& s) {
    if (s.size() != 14 || !isAllDigits(s) || !isDate8(s.substr(0, 8))) return false;
    return std::stoi(s.substr(8, 2)) < 24 && std::stoi(s.substr(10, 2)) < 60 && std::stoi(s.substr(12, 2)) < 60;
}

// Decodes one UTF-8 sequence at s[i]; returns its code point and advances i (bad bytes pass as-is).
static char32_t decodeAt(const std::string& s, std::size_t& i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (extra == 0 || i + extra >= s.size()) { ++i; return c; }
    char32_t cp = c & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += extra + 1;
    return cp;
}

static void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) { out += static_cast<char>(cp); return; }
    if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
    } else {
        if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        }
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    }
    out += static_cast<char>(0x80 | (cp & 0x3F));
}

static bool isSpace(char32_t cp) { return cp == U' ' || cp == U'\t' || cp == U'\r' || cp == U'\n' || cp == 0x3000; }

static bool isDashLike(char32_t cp) {
    return cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2013 || cp == 0x2014 ||
           cp == 0x2015 || cp == 0x2212 || cp == 0x30FC || cp == 0xFF70;
}

std::string trimmed(const std::string& s) {
    std::size_t begin = 0, end = s.size();
    while (begin < end) {
        if (s[begin] == ' ' || s[begin] == '\t' || s[begin] == '\r' || s[begin] == '\n') { ++begin; continue; }
        if (s.compare(begin, 3, "\xE3\x80\x80") == 0) { begin += 3; continue; }
        break;
    }
    while (end > begin) {
        char c = s[end - 1];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { --end; continue; }
        if (end - begin >= 3 && s.compare(end - 3, 3, "\xE3\x80\x80") == 0) { end -= 3; continue; }
        break;
    }
    return s.substr(begin, end - begin);
}

std::string foldedIdentifier(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = decodeAt(s, i);
        if (isSpace(cp)) continue;
        if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;
        if (isDashLike(cp)) cp = U'-';
        appendUtf8(out, cp);
    }
    return out;
}

}  // namespace ksim
