#include "endpoint/reference_number_csv.hpp"

#include <array>
#include <cctype>
#include <cstdint>

#include "model/codes.hpp"
#include "model/errors.hpp"
#include "spec/xml.hpp"

namespace kh::endpoint {
namespace {
using model::ErrorId;
using model::KakehashiError;

[[noreturn]] void malformed(size_t line, const std::string& what) {
    throw KakehashiError(ErrorId::MalformedCsv, "line " + std::to_string(line) + ": " + what);
}

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool isUtf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        uint32_t cp = c & (0x7F >> len);
        for (size_t k = 1; k < len; ++k) {
            unsigned char d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3F);
        }
        static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The charset parameter of a Content-Type, lower case, "" when absent.
std::string charsetOf(const std::string& contentType) {
    std::string t = lower(contentType);
    auto at = t.find("charset=");
    if (at == std::string::npos) return "";
    size_t start = at + 8, end = t.find(';', start);
    std::string v = t.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string out;
    for (char c : v)
        if (c != '"' && c != '\'' && c != ' ') out += c;
    return out;
}

bool isShiftJisName(const std::string& charset) {
    for (const char* name : {"shift_jis", "shift-jis", "sjis", "cp932", "windows-31j", "ms_kanji", "x-sjis"})
        if (charset == name) return true;
    return false;
}

// A quoted field from just after its opening quote; `line` advances over the line breaks inside it.
std::string quotedField(std::string_view s, size_t& i, size_t& line) {
    size_t opened = line;
    std::string field;
    for (;;) {
        if (i >= s.size()) malformed(opened, "a quoted field is not closed");
        char c = s[i++];
        if (c == '"') {
            if (i < s.size() && s[i] == '"') {
                field += '"';
                ++i;
                continue;
            }
            break;
        }
        if (c == '\n') ++line;
        field += c;
    }
    if (i < s.size() && s[i] != ',' && s[i] != '\r' && s[i] != '\n') malformed(line, "text after a closing quote");
    return field;
}

std::string plainField(std::string_view s, size_t& i, size_t line) {
    size_t begin = i;
    while (i < s.size() && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
        if (s[i] == '"') malformed(line, "a quote inside an unquoted field (quote the whole field)");
        ++i;
    }
    return std::string(s.substr(begin, i - begin));
}

bool blank(const CsvRecord& r) {
    for (const auto& f : r.fields)
        if (!model::trimmed(f).empty()) return false;
    return true;
}

// Column names, Japanese and English, in the order of ReferenceNumberRegistrationInfo.
struct Column {
    const char* japanese;
    const char* english;
};
constexpr std::array<Column, 5> kColumns{{{"照会番号", "referenceNumber"},
                                          {"保険者番号", "insurerNumber"},
                                          {"記号", "cardSymbol"},
                                          {"番号", "cardNumber"},
                                          {"枝番", "branchNumber"}}};

std::string shown(const std::string& name) {
    return "\"" + (name.size() > 40 ? name.substr(0, 40) + "…" : name) + "\"";
}

// For each of kColumns, its position in the header record.
std::array<size_t, 5> headerPositions(const CsvRecord& header) {
    constexpr size_t kAbsent = SIZE_MAX;
    std::array<size_t, 5> at;
    at.fill(kAbsent);
    for (size_t i = 0; i < header.fields.size(); ++i) {
        std::string name = model::trimmed(header.fields[i]);
        size_t which = kColumns.size();
        for (size_t c = 0; c < kColumns.size(); ++c)
            if (name == kColumns[c].japanese || lower(name) == lower(kColumns[c].english)) which = c;
        if (which == kColumns.size()) malformed(header.line, "unknown column " + shown(name));
        if (at[which] != kAbsent) malformed(header.line, "column " + shown(name) + " is given twice");
        at[which] = i;
    }
    for (size_t c = 0; c < kColumns.size(); ++c)
        if (at[c] == kAbsent)
            malformed(header.line, std::string("column ") + kColumns[c].japanese + " (" + kColumns[c].english + ") is missing");
    return at;
}
}  // namespace

std::vector<CsvRecord> readCsv(std::string_view s) {
    std::vector<CsvRecord> out;
    size_t i = 0, line = 1;
    while (i < s.size()) {
        CsvRecord record{line, {}};
        for (;;) {
            if (i < s.size() && s[i] == '"') {
                ++i;
                record.fields.push_back(quotedField(s, i, line));
            } else {
                record.fields.push_back(plainField(s, i, line));
            }
            if (i < s.size() && s[i] == ',') {
                ++i;
                continue;
            }
            break;
        }
        if (i < s.size() && s[i] == '\r') ++i;
        if (i < s.size() && s[i] == '\n') ++i;
        ++line;
        out.push_back(std::move(record));
    }
    return out;
}

std::string csvTextAsUtf8(std::string_view bytes, const std::string& contentType) {
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    std::string charset = charsetOf(contentType);
    if (isShiftJisName(charset)) return spec::cp932ToUtf8(bytes);
    if (isUtf8(bytes)) return std::string(bytes);
    if (charset == "utf-8" || charset == "utf8") throw KakehashiError(ErrorId::BadEncoding, "the body is not valid UTF-8");
    return spec::cp932ToUtf8(bytes);
}

std::vector<CsvRegistration> decodeRegistrationCsv(std::string_view bytes, const std::string& contentType,
                                                   size_t maxEntries) {
    if (bytes.empty()) throw KakehashiError(ErrorId::EmptyRequest, "empty body");
    std::vector<CsvRecord> records = readCsv(csvTextAsUtf8(bytes, contentType));
    std::vector<CsvRegistration> out;
    const CsvRecord* header = nullptr;
    std::array<size_t, 5> at{};
    for (const auto& r : records) {
        if (blank(r)) continue;
        if (!header) {
            header = &r;
            at = headerPositions(r);
            continue;
        }
        if (r.fields.size() != header->fields.size())
            malformed(r.line, std::to_string(r.fields.size()) + " fields, the header has " +
                                  std::to_string(header->fields.size()));
        if (out.size() == maxEntries)
            throw KakehashiError(ErrorId::TooManyEntries, "at most " + std::to_string(maxEntries) + " rows");
        CsvRegistration reg;
        reg.line = r.line;
        reg.registration.referenceNumber = model::trimmed(r.fields[at[0]]);
        reg.registration.insured.insurerNumber = model::trimmed(r.fields[at[1]]);
        reg.registration.insured.cardSymbol = model::trimmed(r.fields[at[2]]);
        reg.registration.insured.cardNumber = model::trimmed(r.fields[at[3]]);
        reg.registration.insured.branchNumber = model::trimmed(r.fields[at[4]]);
        out.push_back(std::move(reg));
    }
    if (!header) throw KakehashiError(ErrorId::EmptyRequest, "no header row");
    if (out.empty()) throw KakehashiError(ErrorId::EmptyRequest, "no rows after the header");
    return out;
}

}  // namespace kh::endpoint
