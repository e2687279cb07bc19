// Character encodings of the interface files: strict UTF-8 checks and CP932 (the Shift_JIS that receipt
// computers really use, so ①, Ⅲ, ～ and NEC/IBM extensions round-trip) via glibc iconv.
#include <iconv.h>

#include <algorithm>
#include <cerrno>

#include "model/errors.hpp"
#include "spec/text_encoding.hpp"
#include "spec/xml.hpp"

namespace kh::spec {
namespace detail {

namespace {
bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The allowed range of the second byte after a lead byte (RFC 3629 table), which excludes overlong forms,
// surrogates and code points above U+10FFFF.
bool secondByteAllowed(unsigned char lead, unsigned char second) {
    if (lead == 0xE0) return second >= 0xA0 && second <= 0xBF;
    if (lead == 0xED) return second >= 0x80 && second <= 0x9F;
    if (lead == 0xF0) return second >= 0x90 && second <= 0xBF;
    if (lead == 0xF4) return second >= 0x80 && second <= 0x8F;
    return isContinuation(second);
}

size_t expectedLength(unsigned char lead) {
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}
}  // namespace

size_t utf8SequenceLength(std::string_view s, size_t i) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const size_t n = expectedLength(lead);
    if (n <= 1) return n;
    if (i + n > s.size()) return 0;
    if (!secondByteAllowed(lead, static_cast<unsigned char>(s[i + 1]))) return 0;
    for (size_t k = 2; k < n; ++k)
        if (!isContinuation(static_cast<unsigned char>(s[i + k]))) return 0;
    return n;
}

size_t firstInvalidUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const size_t n = utf8SequenceLength(s, i);
        if (n == 0) return i;
        i += n;
    }
    return s.size();
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

}  // namespace detail

namespace {
using model::ErrorId;
using model::KakehashiError;

constexpr const char kGetaMark[] = "\x81\xAC";  // 〓 (U+3013) in CP932, for characters CP932 cannot hold

// One iconv conversion descriptor, closed when it goes out of scope.
class Iconv {
public:
    Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {
        if (cd_ == reinterpret_cast<iconv_t>(-1))
            throw KakehashiError(ErrorId::Internal, "iconv cannot convert between CP932 and UTF-8");
    }
    ~Iconv() { iconv_close(cd_); }
    Iconv(const Iconv&) = delete;
    Iconv& operator=(const Iconv&) = delete;

    // Converts `in` onto `out` until the end or the first invalid or unmappable sequence; returns how many
    // bytes of `in` were consumed (in.size() when everything converted).
    size_t convert(std::string_view in, std::string& out) {
        char* src = const_cast<char*>(in.data());
        size_t srcLeft = in.size();
        char buffer[4096];
        while (srcLeft > 0) {
            char* dst = buffer;
            size_t dstLeft = sizeof buffer;
            const size_t r = iconv(cd_, &src, &srcLeft, &dst, &dstLeft);
            out.append(buffer, static_cast<size_t>(dst - buffer));
            if (r == static_cast<size_t>(-1) && errno != E2BIG) break;
        }
        return in.size() - srcLeft;
    }

    void reset() { iconv(cd_, nullptr, nullptr, nullptr, nullptr); }  // back to the initial shift state

private:
    iconv_t cd_;
};

// Opening a converter costs far more than a short conversion: each thread keeps one of each direction.
Iconv& converter(bool toUtf8) {
    thread_local Iconv utf8("UTF-8", "CP932");
    thread_local Iconv cp932("CP932", "UTF-8");
    Iconv& c = toUtf8 ? utf8 : cp932;
    c.reset();
    return c;
}
}  // namespace

std::string cp932ToUtf8(std::string_view cp932) {
    std::string out;
    out.reserve(cp932.size() + cp932.size() / 2);
    const size_t consumed = converter(true).convert(cp932, out);
    if (consumed != cp932.size())
        throw KakehashiError(ErrorId::BadEncoding,
                             "invalid Shift_JIS (CP932) byte sequence at offset " + std::to_string(consumed));
    return out;
}

std::string utf8ToCp932(std::string_view utf8) {
    Iconv& cp932 = converter(false);
    std::string out;
    out.reserve(utf8.size());
    size_t pos = 0;
    while (pos < utf8.size()) {
        pos += cp932.convert(utf8.substr(pos), out);
        if (pos >= utf8.size()) break;
        out += kGetaMark;  // one unmappable character (or one stray byte) becomes 〓
        pos += std::max<size_t>(1, detail::utf8SequenceLength(utf8, pos));
    }
    return out;
}

}  // namespace kh::spec
