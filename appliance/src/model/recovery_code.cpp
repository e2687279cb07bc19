#include "model/recovery_code.hpp"

#include <cctype>
#include <stdexcept>

namespace kh::model {
namespace {
// Crockford's base32 in lower case: 32 symbols (5 bits each).
constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

std::string withDash(const std::string& eight) { return eight.substr(0, 4) + "-" + eight.substr(4); }
}  // namespace

std::string recoveryCodeFrom(std::string_view random) {
    if (random.size() != kRecoveryCodeRandomBytes) throw std::invalid_argument("a recovery code takes 8 random bytes");
    std::string code;
    for (unsigned char b : random) code += kAlphabet[b & 31];  // 256 is a multiple of 32: no bias
    return withDash(code);
}

std::optional<std::string> canonicalRecoveryCode(std::string_view typed) {
    std::string code;
    for (char c : typed) {
        c = char(std::tolower(static_cast<unsigned char>(c)));
        if (c == '-') continue;
        if (c == 'o') c = '0';
        if (c == 'i' || c == 'l') c = '1';
        if (!std::char_traits<char>::find(kAlphabet, 32, c)) return std::nullopt;
        code += c;
    }
    if (code.size() != 8) return std::nullopt;
    return withDash(code);
}

}  // namespace kh::model
