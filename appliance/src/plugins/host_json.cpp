// kakehashi.json: a strict JSON reader (UTF-8 only, nesting at most 64, null as kakehashi.json.null) and a
// writer with sorted object keys, so that what a plugin encodes is the same bytes every time.
//
// The one JSON reader of the program besides POCO JSON, kept for reasons POCO's parser (1.11) cannot meet:
// it refuses a document that is a single value (`kakehashi.json.decode('"x"')` or `('1')`, valid JSON
// that plugins decode), and it names no position in its errors, where a plugin author is told the byte.
// Strings are written with the program's one escaper (base/json_string).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "base/json_string.hpp"
#include "plugins/host_library.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace kh::plugins {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (no overlong forms, no surrogates, ≤ U+10FFFF), or 0.
size_t utf8Length(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
    const unsigned c = b(0);
    const auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return b(1) >= lo && b(1) <= hi && cont(2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return b(1) >= lo && b(1) <= hi && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
}

bool isUtf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8Length(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

void appendUtf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

class JsonReader {
public:
    explicit JsonReader(std::string_view text) : text_(text) {}

    Value document() {
        if (!isUtf8(text_)) throw std::runtime_error("json.decode: the text is not UTF-8");
        Value v = value(0);
        skipSpace();
        if (pos_ != text_.size()) fail("unexpected text after the value");
        return v;
    }

private:
    [[noreturn]] void fail(const char* what) const {
        throw std::runtime_error(std::string("json.decode: ") + what + " at byte " + std::to_string(pos_ + 1));
    }
    void skipSpace() {
        while (pos_ < text_.size() &&
               (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
            ++pos_;
    }
    bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
    void expect(char c) {
        skipSpace();
        if (!at(c)) fail((std::string("expected '") + c + "'").c_str());
        ++pos_;
    }
    char next() {
        if (pos_ >= text_.size()) fail("unexpected end of text");
        return text_[pos_++];
    }

    Value value(int depth) {
        skipSpace();
        if (pos_ >= text_.size()) fail("unexpected end of text");
        switch (text_[pos_]) {
        case '{': return object(depth + 1);
        case '[': return array(depth + 1);
        case '"': return Value::fromString(string());
        case 't': return literal("true", Value::fromBool(true));
        case 'f': return literal("false", Value::fromBool(false));
        case 'n': return literal("null", Value::null());
        default: return number();
        }
    }

    Value literal(std::string_view word, Value v) {
        if (text_.substr(pos_, word.size()) != word) fail("unexpected character");
        pos_ += word.size();
        return v;
    }

    void enter(int depth) const {
        if (depth > kMaxValueDepth) fail("nested deeper than 64 levels");
    }

    Value object(int depth) {
        enter(depth);
        ++pos_;
        Value t = Value::table();
        skipSpace();
        if (at('}')) return ++pos_, t;
        for (;;) {
            skipSpace();
            if (!at('"')) fail("expected a string key");
            std::string key = string();
            expect(':');
            t.fields.emplace_back(std::move(key), value(depth));  // a repeated key: the last one wins in Lua
            skipSpace();
            if (at(',')) {
                ++pos_;
                continue;
            }
            expect('}');
            return t;
        }
    }

    Value array(int depth) {
        enter(depth);
        ++pos_;
        Value t = Value::table();
        skipSpace();
        if (at(']')) return ++pos_, t;
        for (;;) {
            t.items.push_back(value(depth));
            skipSpace();
            if (at(',')) {
                ++pos_;
                continue;
            }
            expect(']');
            return t;
        }
    }

    std::string string() {
        ++pos_;  // the opening quote
        std::string out;
        for (;;) {
            const char c = next();
            if (c == '"') return out;
            if (c == '\\')
                escape(out);
            else if (static_cast<unsigned char>(c) < 0x20)
                fail("control character in a string");
            else
                out += c;
        }
    }

    void escape(std::string& out) {
        const char e = next();
        switch (e) {
        case '"':
        case '\\':
        case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': appendUtf8(out, codePoint()); break;
        default: fail("invalid escape");
        }
    }

    unsigned hex4() {
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = next();
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= unsigned(c - 'A' + 10);
            else
                fail("invalid \\u escape");
        }
        return v;
    }

    unsigned codePoint() {
        const unsigned cp = hex4();
        if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate");
        if (cp < 0xD800 || cp > 0xDBFF) return cp;
        if (next() != '\\' || next() != 'u') fail("high surrogate without its pair");
        const unsigned low = hex4();
        if (low < 0xDC00 || low > 0xDFFF) fail("high surrogate without its pair");
        return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }

    size_t digits() {
        const size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
        return pos_ - start;
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?  — an integer when it fits 64 bits, else a double
    Value number() {
        const size_t start = pos_;
        if (at('-')) ++pos_;
        const size_t intStart = pos_;
        const size_t intDigits = digits();
        if (intDigits == 0 || (intDigits > 1 && text_[intStart] == '0')) fail("invalid number");
        bool integral = true;
        if (at('.')) {
            ++pos_, integral = false;
            if (digits() == 0) fail("invalid number");
        }
        if (at('e') || at('E')) {
            ++pos_, integral = false;
            if (at('+') || at('-')) ++pos_;
            if (digits() == 0) fail("invalid number");
        }
        const char* first = text_.data() + start;
        const char* last = text_.data() + pos_;
        long long i = 0;
        if (integral && std::from_chars(first, last, i).ec == std::errc()) return Value::fromInteger(i);
        double d = 0;
        if (std::from_chars(first, last, d).ec != std::errc() || !std::isfinite(d)) fail("number out of range");
        return Value::fromNumber(d);
    }

    std::string_view text_;
    size_t pos_ = 0;
};

void writeValue(std::string& out, const Value& v);

void writeString(std::string& out, const std::string& s) {
    if (!isUtf8(s))
        throw std::runtime_error("json.encode: a string is not UTF-8 (convert Shift_JIS with kakehashi.sjis.to_utf8)");
    base::appendJsonString(out, s);
}

void writeNumber(std::string& out, double d) {
    if (!std::isfinite(d)) throw std::runtime_error("json.encode: NaN and infinity have no JSON form");
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, d);
    out.append(buffer, result.ptr);
}

void writeTable(std::string& out, const Value& t) {
    if (t.otherKeys) throw std::runtime_error("json.encode: a table needs string keys or a sequence 1..n");
    if (!t.items.empty() && !t.fields.empty())
        throw std::runtime_error("json.encode: a table cannot be both an array and an object");
    if (t.fields.empty()) {
        out += '[';
        for (size_t i = 0; i < t.items.size(); ++i) {
            if (i > 0) out += ',';
            writeValue(out, t.items[i]);
        }
        out += ']';
        return;
    }
    std::vector<const std::pair<std::string, Value>*> sorted;
    for (const auto& field : t.fields) sorted.push_back(&field);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    out += '{';
    for (size_t i = 0; i < sorted.size(); ++i) {
        if (i > 0) out += ',';
        writeString(out, sorted[i]->first);
        out += ':';
        writeValue(out, sorted[i]->second);
    }
    out += '}';
}

void writeValue(std::string& out, const Value& v) {
    switch (v.kind) {
    case Value::Kind::Nil:
    case Value::Kind::Null: out += "null"; break;
    case Value::Kind::Boolean: out += v.boolean ? "true" : "false"; break;
    case Value::Kind::Integer: out += std::to_string(v.integer); break;
    case Value::Kind::Number: writeNumber(out, v.number); break;
    case Value::Kind::String: writeString(out, v.text); break;
    case Value::Kind::Table: writeTable(out, v); break;
    default: throw std::runtime_error(std::string("json.encode: cannot encode a ") + v.typeName());
    }
}

int encode(lua_State* L) {
    luaL_checkany(L, 1);
    return host::guarded(L, [L] { return host::results(L, {Value::fromString(writeJson(readValue(L, 1)))}); });
}

int decode(lua_State* L) {
    luaL_checkstring(L, 1);
    return host::guarded(L, [L] {
        size_t n = 0;
        const char* text = lua_tolstring(L, 1, &n);
        return host::results(L, {parseJson(std::string_view(text, n))});
    });
}
}  // namespace

Value parseJson(std::string_view text) { return JsonReader(text).document(); }

std::string writeJson(const Value& value) {
    std::string out;
    writeValue(out, value);
    return out;
}

namespace host {
void openJson(lua_State* L) {
    const luaL_Reg functions[] = {{"encode", encode}, {"decode", decode}, {nullptr, nullptr}};
    luaL_newlib(L, functions);
    pushValue(L, Value::null());
    lua_setfield(L, -2, "null");
}
}  // namespace host
}  // namespace kh::plugins
