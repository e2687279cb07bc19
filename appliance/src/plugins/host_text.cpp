// kakehashi.sjis and kakehashi.fixed: Shift_JIS (CP932) ⇄ UTF-8, and fixed-width fields measured in CP932
// bytes — the layout older receipt computers use, where 漢字 and 全角 take two bytes and ﾊﾝｶｸ one.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "model/codes.hpp"
#include "plugins/host_library.hpp"
#include "spec/xml.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace kh::plugins {
namespace {
constexpr long long kMaxFieldWidth = 65536;
constexpr int kMaxDigitsWidth = 64;
const char kGetaCp932[] = "\x81\xAC";  // 〓, for half of a double-byte character

bool isLeadByte(unsigned char c) { return (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC); }

size_t charLength(std::string_view cp932, size_t i) {
    return isLeadByte(static_cast<unsigned char>(cp932[i])) && i + 1 < cp932.size() ? 2 : 1;
}

std::string toUtf8(std::string_view cp932) {
    try {
        return spec::cp932ToUtf8(cp932);
    } catch (const std::exception&) {
        throw std::runtime_error("invalid Shift_JIS");
    }
}

std::string toCp932(std::string_view utf8) {
    try {
        return spec::utf8ToCp932(utf8);
    } catch (const std::exception&) {
        throw std::runtime_error("invalid Shift_JIS");
    }
}

std::string_view stringArg(lua_State* L, int index) {
    size_t n = 0;
    const char* s = lua_tolstring(L, index, &n);  // checked to be a string before the guarded frame
    return std::string_view(s, n);
}

int sjisToUtf8(lua_State* L) {
    luaL_checkstring(L, 1);
    return host::guarded(L, [L] { return host::results(L, {Value::fromString(toUtf8(stringArg(L, 1)))}); });
}

int sjisFromUtf8(lua_State* L) {
    luaL_checkstring(L, 1);
    return host::guarded(L, [L] { return host::results(L, {Value::fromString(toCp932(stringArg(L, 1)))}); });
}

int fixedSlice(lua_State* L) {
    luaL_checkstring(L, 1);
    const lua_Integer start = luaL_checkinteger(L, 2), width = luaL_checkinteger(L, 3);
    return host::guarded(L, [L, start, width] {
        return host::results(L, {Value::fromString(sliceFixed(stringArg(L, 1), start, width))});
    });
}

int fixedPad(lua_State* L) {
    luaL_checkstring(L, 1);
    const lua_Integer width = luaL_checkinteger(L, 2);
    const char* const aligns[] = {"left", "right", nullptr};
    const bool right = luaL_checkoption(L, 3, "left", aligns) == 1;
    luaL_argcheck(L, width >= 0 && width <= kMaxFieldWidth, 2, "width must be 0..65536");
    return host::guarded(L, [L, width, right] {
        return host::results(L, {Value::fromString(padFixed(stringArg(L, 1), size_t(width), right))});
    });
}

// digits(n, width): n (a non-negative integer, or a string of ASCII digits) zero-padded to width.
int fixedDigits(lua_State* L) {
    const lua_Integer width = luaL_checkinteger(L, 2);
    luaL_argcheck(L, width >= 1 && width <= kMaxDigitsWidth, 2, "width must be 1..64");
    char text[32] = {0};
    if (lua_type(L, 1) == LUA_TNUMBER) {
        const lua_Integer n = luaL_checkinteger(L, 1);
        luaL_argcheck(L, n >= 0, 1, "must not be negative");
        std::snprintf(text, sizeof text, "%lld", static_cast<long long>(n));
    } else {
        size_t length = 0;
        const char* s = luaL_checklstring(L, 1, &length);
        luaL_argcheck(L, length > 0 && length < sizeof text, 1, "must be 1 to 31 digits");
        for (size_t i = 0; i < length; ++i) luaL_argcheck(L, s[i] >= '0' && s[i] <= '9', 1, "must be digits only");
        std::memcpy(text, s, length);
    }
    const size_t length = std::strlen(text);
    if (length > size_t(width)) return luaL_error(L, "fixed.digits: the number has more than %d digits", int(width));
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = length; i < size_t(width); ++i) luaL_addchar(&b, '0');
    luaL_addlstring(&b, text, length);
    luaL_pushresult(&b);
    return 1;
}
}  // namespace

std::string sliceFixed(std::string_view line, long long start, long long width) {
    if (start < 1 || width < 0) throw std::runtime_error("fixed.slice: start counts from 1 and width from 0");
    const size_t begin = size_t(start - 1);
    const size_t end = size_t(std::min<long long>(start - 1 + width, static_cast<long long>(line.size())));
    std::string field;
    for (size_t i = 0; i < end;) {  // walk from the line's start: only then are character edges known
        const size_t length = charLength(line, i);
        if (i >= begin && i + length <= end)
            field.append(line.substr(i, length));
        else if (i + length > begin)
            field += kGetaCp932;  // cut by the field's edge
        i += length;
    }
    return model::trimmed(toUtf8(field));
}

std::string padFixed(std::string_view utf8Text, size_t width, bool alignRight) {
    std::string bytes = toCp932(utf8Text);
    size_t kept = 0;
    while (kept < bytes.size() && kept + charLength(bytes, kept) <= width) kept += charLength(bytes, kept);
    bytes.resize(kept);
    const std::string padding(width - kept, ' ');
    return alignRight ? padding + bytes : bytes + padding;
}

namespace host {
void openSjis(lua_State* L) {
    const luaL_Reg functions[] = {{"to_utf8", sjisToUtf8}, {"from_utf8", sjisFromUtf8}, {nullptr, nullptr}};
    luaL_newlib(L, functions);
}

void openFixed(lua_State* L) {
    const luaL_Reg functions[] = {
        {"slice", fixedSlice}, {"pad", fixedPad}, {"digits", fixedDigits}, {nullptr, nullptr}};
    luaL_newlib(L, functions);
}
}  // namespace host
}  // namespace kh::plugins
