#include "model/password_policy.hpp"

#include <algorithm>
#include <cctype>

namespace kh::model {
namespace {
constexpr size_t kMinPassword = 12, kMaxPassword = 128;

// Passwords long enough to pass the length rule that still come first in every guessing list.
const char* const kCommonPasswords[] = {
    "password1234", "password12345", "password123456", "passw0rd1234", "p@ssw0rd1234", "p@ssword1234",
    "passwordpassword", "qwerty123456", "qwertyuiop12", "qwertyuiopasdf", "qwertyuiop[]", "1qaz2wsx3edc",
    "1q2w3e4r5t6y", "zaq12wsxcde3", "qazwsxedcrfv", "abcdefghijkl", "abcd1234abcd", "abc123abc123",
    "iloveyou1234", "administrator", "administrator1", "adminadmin12", "admin1234567", "welcome12345",
    "changeme1234", "letmein12345", "trustno1trustno1", "kakehashi123", "kakehashi1234", "kakehashi12345"};

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

size_t characters(const std::string& utf8) {
    return size_t(std::count_if(utf8.begin(), utf8.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// "ああああ…" as much as "aaaa…": the first UTF-8 character, and nothing else after it.
bool oneCharacterRepeated(const std::string& utf8) {
    if (utf8.empty()) return false;
    size_t n = 1;
    while (n < utf8.size() && (utf8[n] & 0xC0) == 0x80) ++n;
    if (utf8.size() % n) return false;
    for (size_t at = n; at < utf8.size(); at += n)
        if (utf8.compare(at, n, utf8, 0, n) != 0) return false;
    return true;
}
}  // namespace

std::vector<std::string> passwordProblems(const std::string& password, const std::string& username) {
    std::vector<std::string> problems;
    size_t length = characters(password);
    std::string folded = lower(password);
    if (length < kMinPassword) problems.push_back("パスワードは12文字以上で入力してください");
    if (length > kMaxPassword) problems.push_back("パスワードは128文字以内で入力してください");
    if (username.size() >= 3 && folded.find(lower(username)) != std::string::npos)  // "a" may appear anywhere
        problems.push_back("パスワードに利用者名を含めないでください");
    if (!password.empty() && std::all_of(password.begin(), password.end(), [](char c) { return c >= '0' && c <= '9'; }))
        problems.push_back("数字だけのパスワードは使えません。文字や記号も混ぜてください");
    else if (oneCharacterRepeated(password))
        problems.push_back("同じ文字を繰り返しただけのパスワードは使えません");
    for (const char* common : kCommonPasswords)
        if (folded == common) {
            problems.push_back("よく使われていて推測されやすいパスワードです。ほかの人が思いつかない言葉にしてください");
            break;
        }
    return problems;
}

}  // namespace kh::model
