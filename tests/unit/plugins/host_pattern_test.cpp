// Tests of the sandbox's bounded string.find / match / gmatch / gsub: they answer exactly as Lua 5.4's own
// string library does (the same calls run in a plain lua_State and in the sandbox, on a table of cases
// and on random ones), and a backtracking pattern of any kind ends as PluginTimeout near the deadline,
// even inside pcall, leaving the sandbox usable.
#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lualib.h>
}

#include "plugins/lua_pattern.hpp"
#include "snippets.hpp"

using namespace kh::plugins;
using kh::model::ErrorId;
using kh::test::Snippets;
using namespace std::chrono_literals;

namespace {

// Runs one probe call and describes everything it returned (types, values, captures, gmatch rounds) or
// the error message, as one line; the same text must come out of both implementations.
const char* const kProbe = R"LUA(
local fn, s, p, a, b = ...
local replacements = {
  t = { a = 'A', b = false, ab = 12, ['1'] = 'one', ['('] = 'paren' },
  f = function(...) local out = {} for i = 1, select('#', ...) do out[i] = tostring((select(i, ...))) end
                    return '<' .. table.concat(out, '+') .. '>' end,
  keep = function(x) if x == 'a' or x == '' then return nil end return false end,
  number = function() return 7 end,
  bad = function() return {} end,
}
local function show(ok, ...)
  local out = { ok and 'ok' or 'error' }
  for i = 1, select('#', ...) do local v = select(i, ...) out[#out + 1] = type(v) .. ':' .. tostring(v) end
  return table.concat(out, ' ')
end
local run
if fn == 'gmatch' then
  run = function()
    local rounds = {}
    for x, y, z in string.gmatch(s, p, a) do
      rounds[#rounds + 1] = tostring(x) .. ',' .. tostring(y) .. ',' .. tostring(z)
      if #rounds > 100 then break end
    end
    return table.concat(rounds, ';')
  end
elseif fn == 'gsub' then
  local r = a
  if type(a) == 'string' and a:sub(1, 1) == '@' then r = replacements[a:sub(2)] end
  run = function() return string.gsub(s, p, r, b) end
elseif fn == 'method' then
  run = function() return s:find(p, a, b) end
else
  local f = string[fn]
  run = function() return f(s, p, a, b) end
end
return show(pcall(run))
)LUA";

// A Lua literal of any bytes (letters as they are, everything else as a three-digit escape).
std::string literal(const std::string& bytes) {
    std::string out = "\"";
    for (unsigned char c : bytes) {
        if (std::isalpha(c) || c == ' ') {
            out += char(c);
        } else {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\%03d", int(c));
            out += escape;
        }
    }
    return out + "\"";
}

struct Case {
    std::string fn, subject, pattern;
    std::string a = "nil", b = "nil";  // Lua expressions for the 3rd and 4th arguments
};

std::string argumentsOf(const Case& c) {
    return "'" + c.fn + "', " + literal(c.subject) + ", " + literal(c.pattern) + ", " + c.a + ", " + c.b;
}

// Lua 5.4's own string library in a plain state: the reference.
class Reference {
public:
    Reference() : L_(luaL_newstate(), &lua_close) {
        luaL_openlibs(L_.get());
        if (luaL_loadbuffer(L_.get(), kProbe, std::strlen(kProbe), "=(load)") != LUA_OK) throw std::runtime_error(lua_tostring(L_.get(), -1));
        probe_ = luaL_ref(L_.get(), LUA_REGISTRYINDEX);
    }
    std::string run(const Case& c) {
        lua_State* L = L_.get();
        lua_settop(L, 0);
        const std::string args = "return " + argumentsOf(c);
        lua_rawgeti(L, LUA_REGISTRYINDEX, probe_);
        if (luaL_dostring(L, args.c_str()) != LUA_OK) return std::string("bad case: ") + lua_tostring(L, -1);
        const int n = lua_gettop(L) - 1;
        if (lua_pcall(L, n, 1, 0) != LUA_OK) return std::string("probe failed: ") + lua_tostring(L, -1);
        size_t length = 0;
        const char* text = lua_tolstring(L, -1, &length);
        return std::string(text, length);
    }

private:
    std::unique_ptr<lua_State, decltype(&lua_close)> L_;
    int probe_ = LUA_NOREF;
};

// The same probe in a sandbox, where string.* are Kakehashi's.
class Sandboxed {
public:
    std::string run(const Case& c) {
        const std::string code = "local probe = load(...)\nreturn probe(" + argumentsOf(c) + ")";
        try {
            return lua_.text(code, {Value::fromString(kProbe)});
        } catch (const AdapterError& e) {
            return std::string("sandbox failed: ") + e.what();
        }
    }

private:
    Snippets lua_;
};

void compare(Reference& reference, Sandboxed& sandboxed, const Case& c) {
    INFO(c.fn << "(" << argumentsOf(c) << ")");
    const std::string expected = reference.run(c);
    REQUIRE_THAT(expected, !Catch::StartsWith("bad case") && !Catch::StartsWith("probe failed"));
    CHECK(sandboxed.run(c) == expected);
}

const std::vector<Case> kCases = {
    // plain characters, classes and their complements
    {"find", "hello world", "o w"}, {"find", "hello", "l"}, {"find", "hello", "xyz"}, {"find", "", ""},
    {"find", "abc", ""}, {"find", "abc", "", "10"}, {"find", "abc", "", "4"}, {"find", "abc", "", "-1"},
    {"match", "key = value", "(%w+)%s*=%s*(%w+)"}, {"match", "  trim me  ", "^%s*(.-)%s*$"},
    {"match", "Tab\tNew\nLine", "%c"}, {"match", "x1y22z333", "%d+"}, {"match", "abc!?,", "%p+"},
    {"match", "MixedCase", "%u%l+"}, {"match", "MixedCase", "%U+"}, {"match", "0xBEEF", "0x(%x+)"},
    {"match", "a b\tc", "%S+"}, {"match", "a b\tc", "%s"}, {"match", "tree", "%g+"}, {"match", "abc123", "%W"},
    {"match", "abc123", "%A+"}, {"match", "abc123", "%D+"}, {"match", "\x01\x02x", "%C"}, {"match", "abc", "%L"},
    {"match", "a.b", "%."}, {"match", "100%", "%d+%%"}, {"match", "a-b", "a%-b"}, {"match", "\xe3\x81\x82x", "[\x80-\xff]+"},
    // sets
    {"match", "hello123", "[a-z]+"}, {"match", "hello123", "[^a-z]+"}, {"match", "a]b", "[]]"}, {"match", "a]b", "[^]]+"},
    {"match", "a-b", "[a-]+"}, {"match", "a-b", "[-a]+"}, {"match", "x%y", "[%%]"}, {"match", "12.5e3", "[%d.e]+"},
    {"match", "Ab1_", "[%w_]+"}, {"match", "^caret", "[%^c]+"}, {"match", "z", "[a-]"}, {"match", "b", "[a-c-e]"},
    {"match", "-", "[a-c-e]"}, {"match", "ab", "[^%a]"}, {"match", "a[b", "[[]"},
    // quantifiers
    {"match", "aaab", "a*"}, {"match", "aaab", "a+"}, {"match", "aaab", "a-b"}, {"match", "aaab", "a?a?b"},
    {"match", "<a><b>", "<.->"}, {"match", "<a><b>", "<.*>"}, {"match", "b", "a+"}, {"match", "", "a*"},
    {"match", "xyz", "x?y?z?w?"}, {"find", "aaa", "a-", "2"}, {"match", "color colour", "colou?r", "3"},
    // anchors
    {"find", "abc", "^b"}, {"find", "abc", "^a"}, {"find", "abc", "c$"}, {"find", "abc", "b$"}, {"find", "a$c", "$c"},
    {"find", "abc", "^abc$"}, {"find", "abc", "b", "-2"}, {"find", "abc", "^b", "2"}, {"match", "a^b", "a^b"},
    {"find", "a$b", "$", "1", "true"}, {"find", "a.b", ".", "1", "true"}, {"find", "a.b", ".", "1", "1"},
    {"find", "abc", "b", "-10"}, {"find", "abc", "b", "0"}, {"find", "abc", "c", "3"}, {"find", "abc", "c", "4"},
    {"find", "abcabc", "b", "3"}, {"find", "abc", "", "-10"}, {"find", "a+b", "+", "1", "false"},
    // captures
    {"find", "hello world", "(o)(r)"}, {"match", "2026-11-25", "(%d+)-(%d+)-(%d+)"}, {"match", "abc", "()b()"},
    {"find", "abc", "()"}, {"match", "abc", "(a(b)c)"}, {"match", "abc", "((a)(b))"}, {"match", "", "()"},
    {"match", "abc", "(a)()(c)"}, {"match", "abc", "(a)%1"}, {"match", "abab", "(ab)%1"}, {"match", "xyyx", "(.)(.)%2%1"},
    {"match", "a==b", "(=+)"}, {"match", "[[x]]", "%[(=*)%[(.-)%]%1%]"}, {"match", "abc", "()a%1"},
    // balance and frontier
    {"match", "f(a(b)c) d", "%b()"}, {"match", "((()", "%b()"}, {"match", "[x]", "%b[]"}, {"match", "aXbXc", "%bXX"},
    {"find", "THE (quick) fox", "%f[%a]%a+"}, {"gsub", "THE (quick) fox", "%f[%a]%a+", "'W'"},
    {"gsub", "hello world", "%f[%w]%w+%f[%W]", "'<%0>'"}, {"find", "abc", "%f[%z]"}, {"find", "abc", "%f[^%z]"},
    {"find", "a", "%f[a]"}, {"find", "", "%f[%z]"}, {"match", "x_y", "%f[%w_][%w_]+"},
    // malformed patterns: the same error, met at the same point
    {"find", "abc", "%"}, {"find", "abc", "a%"}, {"find", "abc", "[a"}, {"find", "abc", "[^a"}, {"find", "abc", "[a%"},
    {"find", "abc", "[]"}, {"find", "abc", "x["}, {"find", "abc", "%b"}, {"find", "abc", "%ba"}, {"find", "abc", "%fa"},
    {"find", "abc", "%f"}, {"find", "abc", "%1"}, {"find", "abc", "(a%1)"}, {"find", "abc", "%0"}, {"match", "abc", "a)"},
    {"match", "abc", "(a"}, {"match", "abc", "(()"}, {"find", "abc", "(x"}, {"match", "abc", "%9"},
    {"find", "aaa", "((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))"},
    {"find", "a", "(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))"},
    {"match", std::string(300, 'a'), [] { std::string p; for (int i = 0; i < 300; ++i) p += "a?"; return p; }()},
    {"match", std::string(150, 'a'), [] { std::string p; for (int i = 0; i < 150; ++i) p += "a?"; return p; }()},
    // embedded zeros and high bytes
    {"find", std::string("a\0b", 3), std::string("\0", 1)}, {"match", std::string("a\0b", 3), std::string("%z", 2)},
    {"match", std::string("a\0b", 3), std::string("[\0]", 3)}, {"find", std::string("a\0b", 3), "b"},
    {"match", std::string("x\0\0y", 4), std::string("\0+", 2)}, {"gsub", std::string("a\0b", 3), "%c", "'.'"},
    // gmatch, with init and the 5.4 empty-match rule
    {"gmatch", "one two  three", "%a+"}, {"gmatch", "k=v, a=b", "(%w+)=(%w+)"}, {"gmatch", "abc", ""},
    {"gmatch", "abc", "%w*"}, {"gmatch", "a,b,,c", "([^,]*)"}, {"gmatch", "abc", "()"}, {"gmatch", "^a^b", "^."},
    {"gmatch", "one two three", "%a+", "5"}, {"gmatch", "one two three", "%a+", "-5"}, {"gmatch", "abc", "x*", "10"},
    {"gmatch", "abc", ".", "4"}, {"gmatch", "abc", "[", "1"}, {"gmatch", "", ".*"}, {"gmatch", "ab", "(a)(b)()"},
    // gsub: strings, %0-%9 and %%, tables, functions, false/nil keeping the match, max n, anchors
    {"gsub", "hello world", "o", "'0'"}, {"gsub", "hello world", "(o)", "'[%1]'"}, {"gsub", "hello", "", "'-'"},
    {"gsub", "abc", "%w*", "'-'"}, {"gsub", "hello world", "(%w+) (%w+)", "'%2 %1'"}, {"gsub", "abc", "b", "'%%'"},
    {"gsub", "abc", "b", "'%0%0'"}, {"gsub", "abc", "b", "'%1'"}, {"gsub", "abc", "b", "'%2'"}, {"gsub", "abc", "(b)", "'%2'"},
    {"gsub", "abc", "b", "'%x'"}, {"gsub", "abc", "b", "'x%'"}, {"gsub", "abc", "()b", "'%1'"}, {"gsub", "abc", "b", "5"},
    {"gsub", "abc", "b", "2.5"}, {"gsub", "a b a", "%a", "'@t'"}, {"gsub", "ab ab", "%a+", "'@t'"},
    {"gsub", "(a) b", "(%()", "'@t'"}, {"gsub", "a1b2", "(%a)(%d)", "'@f'"}, {"gsub", "abc", "()", "'@f'"},
    {"gsub", "a b c", "%a", "'@keep'"}, {"gsub", "abc", ".", "'@number'"}, {"gsub", "abc", ".", "'@bad'"},
    {"gsub", "abc", "b", "'@t'"}, {"gsub", "aaa", "a", "'b'", "2"}, {"gsub", "aaa", "a", "'b'", "0"},
    {"gsub", "aaa", "a", "'b'", "-1"}, {"gsub", "aaa", "^a", "'b'"}, {"gsub", "aaa", "^", "'b'"}, {"gsub", "aaa", "$", "'b'"},
    {"gsub", "abc", "b", "nil"}, {"gsub", "abc", "b", "true"}, {"gsub", "abc", "(", "'x'"}, {"gsub", "", "", "'x'"},
    {"gsub", "abc", "b", "'x'", "'2'"}, {"gsub", "abc", "b", "'x'", "'two'"}, {"gsub", "a.b", "%.", "'%%.'"},
    // argument errors and conversions name the same things
    {"find", "abc", "b", "'x'"}, {"find", "abc", "b", "1.5"}, {"match", "abc", "b", "'2'"}, {"find", "12345", "3"},
    {"method", "hello", "l+"}, {"method", "hello", "l", "-2"}, {"method", "a.b", ".", "1", "true"},
};

std::unique_ptr<Reference> reference() { return std::make_unique<Reference>(); }

// Random patterns small enough for the unbounded reference: at most three unbounded quantifiers on
// subjects of at most 16 bytes.
class RandomCases {
public:
    explicit RandomCases(uint32_t seed) : random_(seed) {}

    Case next() {
        static const char* const fns[] = {"find", "match", "gmatch", "gsub", "method"};
        Case c{fns[pick(5)], subject(), pattern()};
        if (c.fn == "gsub") {
            static const char* const repls[] = {"'<%0>'", "'%1'", "'%2%1'", "'x'", "'@t'", "'@f'", "'@keep'", "'%'", "''"};
            c.a = repls[pick(9)];
            if (pick(4) == 0) c.b = std::to_string(int(pick(4)));
        } else if (pick(3) == 0) {
            c.a = std::to_string(int(pick(21)) - 10);
            if (c.fn == "find" && pick(3) == 0) c.b = pick(2) ? "true" : "false";
        }
        return c;
    }

private:
    size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random_); }

    std::string subject() {
        static const char alphabet[] = {'a', 'b', 'a', 'b', '1', ' ', '.', '(', ')', '-', 'A', '\0', '\xe3'};
        std::string s;
        for (size_t n = pick(17); n > 0; --n) s += alphabet[pick(sizeof alphabet)];
        return s;
    }

    std::string pattern() {
        static const char* const items[] = {"a", "b", ".", "%a", "%d", "%s", "%w", "%A", "%p", "[ab]", "[^a]", "[a-c]",
                                            "[%d.]", "%.", "%(", "1", " ", "-", "%z"};
        static const char* const specials[] = {"(", ")", "()", "%1", "%2", "%b()", "%f[%w]", "%f[%s]", "$",
                                               "%",  "[a",  "%b", "%f", "[", "%x", "^", "%0"};
        std::string p = pick(4) == 0 ? "^" : "";
        int quantifiers = 0;
        for (size_t n = 1 + pick(6); n > 0; --n) {
            if (pick(4) == 0) {
                p += specials[pick(sizeof specials / sizeof *specials)];
                continue;
            }
            p += items[pick(sizeof items / sizeof *items)];
            if (quantifiers < 3 && pick(2) == 0) {
                p += "*+-?"[pick(4)];
                ++quantifiers;
            }
        }
        if (pick(5) == 0) p += "$";
        return p;
    }

    std::mt19937 random_;
};

uint32_t randomSeed() {
    if (const char* fixed = std::getenv("KAKEHASHI_PATTERN_SEED")) return uint32_t(std::strtoul(fixed, nullptr, 10));
    return std::random_device{}();
}

// A sandbox with a short deadline, running one bomb after another.
SandboxLimits bombLimits() {
    SandboxLimits limits;
    limits.memoryBytes = 8u * 1024 * 1024;
    limits.deadline = 200ms;
    limits.instructions = std::numeric_limits<uint64_t>::max() / 2;  // the deadline must stop it
    return limits;
}

struct Ending {
    ErrorId id = ErrorId::Internal;
    std::string detail;
    std::chrono::milliseconds took{0};
    bool usableAfter = false;  // a small pattern call worked in the same sandbox afterwards
};

// Runs `code` in a child process (a fork of this one, sandbox included) and waits for its report. A call
// that is still running `giveUp` after it started is what an unbounded matcher does: the child is killed
// and the ending says so, so that the test fails instead of hanging.
Ending endingOf(Snippets& lua, const std::string& code, std::chrono::milliseconds giveUp = 10s) {
    int report[2];
    REQUIRE(::pipe(report) == 0);
    std::cout.flush();
    const auto start = std::chrono::steady_clock::now();
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(report[0]);
        std::string line;
        try {
            lua.run(code);
            line = std::to_string(int(ErrorId::Internal)) + " <it returned>";
        } catch (const AdapterError& e) {
            line = std::to_string(int(e.id())) + " " + e.what();
        }
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        bool usable = false;
        try {
            usable = lua.text("return ('a1'):match('%a(%d)')") == "1";
        } catch (const AdapterError&) {
        }
        line = std::to_string(took.count()) + " " + (usable ? "1 " : "0 ") + line;
        const ssize_t written = ::write(report[1], line.data(), line.size());
        ::_exit(written == ssize_t(line.size()) ? 0 : 1);
    }
    ::close(report[1]);
    Ending ending;
    pollfd waiting{report[0], POLLIN, 0};
    if (::poll(&waiting, 1, int(giveUp.count())) <= 0) {
        ::kill(child, SIGKILL);
        ending.detail = "still running after " + std::to_string(giveUp.count()) + " ms: the pattern is not bounded";
        ending.took = giveUp;
    } else {
        std::string text;
        char buffer[512];
        for (ssize_t n; (n = ::read(report[0], buffer, sizeof buffer)) > 0;) text.append(buffer, size_t(n));
        long long took = 0;
        int usable = 0, id = 0, consumed = 0;
        if (std::sscanf(text.c_str(), "%lld %d %d %n", &took, &usable, &id, &consumed) >= 3) {
            ending = Ending{ErrorId(id), text.substr(size_t(consumed)), std::chrono::milliseconds(took), usable == 1};
        } else {
            ending.detail = "the child reported nothing";
        }
    }
    ::close(report[0]);
    ::waitpid(child, nullptr, 0);
    return ending;
}

// Patterns that backtrack for years, each with every quantifier and on short (≤ 64 bytes) and long subjects.
const std::vector<std::pair<const char*, std::string>> kBombs = {
    {"? driven, 60 bytes", "return string.rep('a', 60):match(string.rep('a?', 60) .. string.rep('a', 60))"},
    {"? as a method, 40 bytes", "local s = string.rep('a', 40) return s:find(s:gsub('a', 'a?') .. s)"},
    {"* on 40 bytes", "return string.rep('a', 40):find(string.rep('a*', 20) .. 'b')"},
    {"+ on 40 bytes", "return string.rep('a', 40):find(string.rep('a+', 20) .. 'b')"},
    {"- on 40 bytes", "return string.rep('a', 40):find(string.rep('a-', 20) .. 'b')"},
    {"- on 16 bytes", "return string.rep('a', 16):find(string.rep('.-', 30) .. 'b')"},
    {"captures and back-references",
     "return string.rep('a', 48):match(string.rep('(a*)', 12) .. '%1%2%3b')"},
    {"nested captures", "return string.rep('a', 40):match(string.rep('((a*)a?)', 8) .. 'b')"},
    {"lazy captures and a back-reference", "return string.rep('a', 50):match(string.rep('(a-)', 9) .. '%9b')"},
    {"%b over a long subject", "return string.rep('(', 200000):find('%b()')"},
    {".- over a long subject", "return string.rep('a', 100000):find('.-.-.-b')"},
    {"gmatch", "for x in string.rep('a', 50):gmatch(string.rep('a*', 15) .. 'b') do end"},
    {"gsub", "return (string.rep('a', 50):gsub(string.rep('a-', 15) .. 'b', 'x'))"},
    {"inside pcall", "return pcall(string.match, string.rep('a', 60), string.rep('a?', 60) .. string.rep('a', 60))"},
    {"inside xpcall, repeated",
     "for i = 1, 10 do xpcall(function() return string.rep('a', 40):find(string.rep('a*', 20) .. 'b') end, "
     "function(e) return e end) end"},
    {"gsub callback that bombs",
     "return string.gsub('xyz', '%a', function(c) return string.rep(c, 50):match(string.rep(c .. '?', 50) .. "
     "string.rep(c, 50)) end)"},
};

}  // namespace

TEST_CASE("the pattern functions answer as Lua 5.4's own on a table of cases", "[plugins][pattern]") {
    auto expected = reference();
    Sandboxed sandboxed;
    for (const Case& c : kCases) compare(*expected, sandboxed, c);
}

TEST_CASE("the pattern functions answer as Lua 5.4's own on random patterns", "[plugins][pattern]") {
    const uint32_t seed = randomSeed();
    std::cout << "pattern differential seed: " << seed << " (KAKEHASHI_PATTERN_SEED=" << seed << " repeats it)\n";
    INFO("seed " << seed);
    auto expected = reference();
    Sandboxed sandboxed;
    RandomCases cases(seed);
    for (int i = 0; i < 20000; ++i) compare(*expected, sandboxed, cases.next());
}

TEST_CASE("the pattern engine stops at the depth Lua allows and asks its budget", "[plugins][pattern]") {
    const std::string subject(300, 'a');
    std::string deep;
    for (int i = 0; i < 300; ++i) deep += "a?";
    pattern::Matcher unlimited(subject.data(), subject.size(), deep.data(), deep.size(), nullptr, nullptr);
    CHECK(unlimited.matchAt(0) == pattern::kNoMatch);
    CHECK(unlimited.fault() == pattern::Fault::TooComplex);

    uint64_t charged = 0;
    auto payer = [](void* total, uint64_t steps) {
        *static_cast<uint64_t*>(total) += steps;
        return *static_cast<uint64_t*>(total) < 1'000'000;
    };
    const std::string bomb = "a*a*a*a*a*a*a*a*b";
    pattern::Matcher bounded(subject.data(), subject.size(), bomb.data(), bomb.size(), payer, &charged);
    CHECK(bounded.matchAt(0) == pattern::kNoMatch);
    CHECK(bounded.fault() == pattern::Fault::OutOfBudget);
    CHECK(charged >= 1'000'000);
    CHECK(charged < 1'000'000 + 2 * pattern::kStepsPerCharge);
}

TEST_CASE("pattern bombs end as PluginTimeout near the deadline and the sandbox stays usable",
          "[plugins][pattern][bomb]") {
    Snippets lua(bombLimits());
    for (const auto& [what, code] : kBombs) {
        INFO(what);
        const Ending ending = endingOf(lua, code);
        std::cout << "pattern bomb \"" << what << "\" ended after " << ending.took.count() << " ms (deadline 200 ms)\n";
        INFO(ending.detail);
        CHECK(ending.id == ErrorId::PluginTimeout);
        CHECK(ending.took >= 200ms);
        CHECK(ending.took < 200ms + 3s);  // generous: the point is that it ends, not how fast the box is
        CHECK(ending.usableAfter);
    }
}

TEST_CASE("the instruction budget stops a pattern bomb long before a distant deadline", "[plugins][pattern][bomb]") {
    SandboxLimits limits = bombLimits();
    limits.deadline = 60s;
    limits.instructions = 5'000'000;
    Snippets lua(limits);
    const Ending ending = endingOf(lua, "return string.rep('a', 60):match(string.rep('a?', 60) .. string.rep('a', 60))");
    CHECK(ending.id == ErrorId::PluginTimeout);
    CHECK(ending.took < 30s);
}

TEST_CASE("gsub cannot build a result larger than the plugin's memory", "[plugins][pattern]") {
    SandboxLimits limits = bombLimits();
    limits.deadline = 120s;  // memory, not time, must end these however slow the machine
    Snippets lua(limits);
    for (const char* code : {"return (string.rep('x', 1 << 20):gsub('.', string.rep('y', 64)))",
                             "return (string.rep('x', 1 << 20):gsub('.', '%0%0%0%0%0%0%0%0%0%0%0%0'))",
                             "local big = string.rep('z', 1 << 20) return (string.rep('x', 64):gsub('.', "
                             "function() return big end))",
                             "return pcall(string.gsub, string.rep('x', 1 << 20), '.', string.rep('y', 64))"}) {
        INFO(code);
        const Ending ending = endingOf(lua, code);
        CHECK(ending.id == ErrorId::PluginMemory);
        CHECK(ending.usableAfter);
    }
}
