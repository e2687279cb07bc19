// kakehashi.csv: RFC 4180 CSV as receipt computers write it — quoted fields with "" escapes and line breaks
// inside, CRLF or LF line ends — read into rows (or records keyed by the header row) and written back.
// Byte-wise, so it works on UTF-8 and on CP932 alike (no CP932 trail byte is ',', '"', CR or LF).
#include <cstdio>
#include <stdexcept>

#include "plugins/host_library.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace kh::plugins {
namespace {
using Rows = std::vector<std::vector<std::string>>;

class CsvReader {
public:
    explicit CsvReader(std::string_view text) : text_(text) {}

    Rows rows() {
        Rows out;
        while (pos_ < text_.size()) {
            if (atLineEnd())
                skipLineEnd();  // a blank line
            else
                out.push_back(record());
        }
        return out;
    }

private:
    [[noreturn]] void fail(const char* what, size_t line) const {
        throw std::runtime_error(std::string("csv.parse: ") + what + " on line " + std::to_string(line));
    }
    bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
    bool atLineEnd() const { return at('\n') || (at('\r') && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n')); }
    void skipLineEnd() {
        if (at('\r')) ++pos_;
        if (at('\n')) ++pos_, ++line_;
    }

    std::vector<std::string> record() {
        std::vector<std::string> fields;
        for (;;) {
            fields.push_back(at('"') ? quoted() : plain());
            if (!at(',')) break;
            ++pos_;
        }
        skipLineEnd();
        return fields;
    }

    std::string plain() {
        const size_t start = pos_;
        while (pos_ < text_.size() && !at(',') && !atLineEnd()) ++pos_;
        return std::string(text_.substr(start, pos_ - start));
    }

    std::string quoted() {
        const size_t firstLine = line_;
        std::string out;
        ++pos_;
        for (;;) {
            if (pos_ >= text_.size()) fail("unterminated quoted field", firstLine);
            const char c = text_[pos_++];
            if (c == '"' && at('"')) {
                out += '"';
                ++pos_;
            } else if (c == '"') {
                break;
            } else {
                if (c == '\n') ++line_;
                out += c;
            }
        }
        if (pos_ < text_.size() && !at(',') && !atLineEnd()) fail("unexpected character after a closing quote", line_);
        return out;
    }

    std::string_view text_;
    size_t pos_ = 0;
    size_t line_ = 1;
};

bool needsQuotes(const std::string& field) { return field.find_first_of(",\"\r\n") != std::string::npos; }

void appendField(std::string& out, const std::string& field) {
    if (!needsQuotes(field)) {
        out += field;
        return;
    }
    out += '"';
    for (const char c : field) {
        if (c == '"') out += '"';  // "" inside quotes
        out += c;
    }
    out += '"';
}

Value rowsValue(const Rows& rows) {
    Value out = Value::table();
    for (const auto& row : rows) {
        Value r = Value::table();
        for (const auto& field : row) r.append(Value::fromString(field));
        out.append(std::move(r));
    }
    return out;
}

// {header=true}: the first row names the fields; a field a row lacks stays nil.
Value recordsValue(const Rows& rows) {
    Value out = Value::table();
    for (size_t i = 1; i < rows.size(); ++i) {
        Value record = Value::table();
        for (size_t k = 0; k < rows[i].size() && k < rows[0].size(); ++k)
            if (!rows[0][k].empty()) record.fields.emplace_back(rows[0][k], Value::fromString(rows[i][k]));
        out.append(std::move(record));
    }
    return out;
}

std::string fieldText(const Value& v, size_t row, size_t column) {
    if (v.kind == Value::Kind::String) return v.text;
    if (v.kind == Value::Kind::Integer) return std::to_string(v.integer);
    if (v.kind == Value::Kind::Number) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.14g", v.number);  // as Lua's tostring shows it
        return buffer;
    }
    throw std::runtime_error("csv.format: row " + std::to_string(row) + ", field " + std::to_string(column) + " is a " +
                             v.typeName() + " (use strings)");
}

Rows rowsFrom(const Value& v) {
    if (!v.isTable()) throw std::runtime_error("csv.format: rows must be an array of arrays");
    Rows rows;
    for (size_t i = 0; i < v.items.size(); ++i) {
        if (!v.items[i].isTable())
            throw std::runtime_error("csv.format: row " + std::to_string(i + 1) + " is not an array");
        std::vector<std::string> row;
        for (size_t k = 0; k < v.items[i].items.size(); ++k)
            row.push_back(fieldText(v.items[i].items[k], i + 1, k + 1));
        rows.push_back(std::move(row));
    }
    return rows;
}

bool headerOption(lua_State* L, int index) {
    if (lua_isnoneornil(L, index)) return false;
    luaL_checktype(L, index, LUA_TTABLE);
    lua_getfield(L, index, "header");
    const bool header = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
    return header;
}

int parse(lua_State* L) {
    luaL_checkstring(L, 1);
    const bool header = headerOption(L, 2);
    return host::guarded(L, [L, header] {
        size_t n = 0;
        const char* text = lua_tolstring(L, 1, &n);
        const Rows rows = parseCsv(std::string_view(text, n));
        return host::results(L, {header ? recordsValue(rows) : rowsValue(rows)});
    });
}

int format(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    return host::guarded(L,
                         [L] { return host::results(L, {Value::fromString(formatCsv(rowsFrom(readValue(L, 1))))}); });
}
}  // namespace

std::vector<std::vector<std::string>> parseCsv(std::string_view text) { return CsvReader(text).rows(); }

std::string formatCsv(const std::vector<std::vector<std::string>>& rows) {
    std::string out;
    for (const auto& row : rows) {
        for (size_t i = 0; i < row.size(); ++i) {
            if (i > 0) out += ',';
            appendField(out, row[i]);
        }
        out += "\r\n";
    }
    return out;
}

namespace host {
void openCsv(lua_State* L) {
    const luaL_Reg functions[] = {{"parse", parse}, {"format", format}, {nullptr, nullptr}};
    luaL_newlib(L, functions);
}
}  // namespace host
}  // namespace kh::plugins
