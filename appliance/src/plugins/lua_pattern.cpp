// The bounded Lua pattern engine: a backtracking matcher that tries the alternatives in the order the Lua
// reference manual implies (greedy '*' '+' longest first, lazy '-' shortest first, '?' with the item
// first), so captures and positions come out as Lua's do. Each step it takes is counted; the budget is
// asked every kStepsPerCharge steps, which is what bounds a pattern that backtracks exponentially.
#include "plugins/lua_pattern.hpp"

#include <cctype>
#include <cstring>

namespace kh::plugins::pattern {
namespace {
constexpr char kEscape = '%';

bool isDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

bool classMatches(unsigned char c, unsigned char classLetter) {
    bool in = false;
    switch (std::tolower(classLetter)) {
    case 'a': in = std::isalpha(c); break;
    case 'c': in = std::iscntrl(c); break;
    case 'd': in = std::isdigit(c); break;
    case 'g': in = std::isgraph(c); break;
    case 'l': in = std::islower(c); break;
    case 'p': in = std::ispunct(c); break;
    case 's': in = std::isspace(c); break;
    case 'u': in = std::isupper(c); break;
    case 'w': in = std::isalnum(c); break;
    case 'x': in = std::isxdigit(c); break;
    case 'z': in = c == '\0'; break;  // undocumented since Lua 5.2, still accepted by 5.4: plugins may use it
    default: return classLetter == c;  // an escaped non-letter ("%." "%%") is itself
    }
    return std::isupper(classLetter) ? !in : in;
}

Matcher::Matcher(const char* subject, size_t subjectLength, const char* pattern, size_t patternLength,
                 ChargeSteps charge, void* payer)
    : subject_(subject), subjectLength_(subjectLength), pattern_(pattern), patternLength_(patternLength),
      charge_(charge), payer_(payer) {}

size_t Matcher::matchAt(size_t at, size_t patternStart) noexcept {
    if (fault_ != Fault::None) return kNoMatch;
    level_ = 0;
    depthLeft_ = kMaxDepth;
    try {
        return match(at, patternStart);
    } catch (const Stop&) {
        return kNoMatch;
    }
}

const char* Matcher::faultMessage() const {
    switch (fault_) {
    case Fault::None: return "";
    case Fault::EndsWithEscape: return "malformed pattern (ends with '%')";
    case Fault::MissingBracket: return "malformed pattern (missing ']')";
    case Fault::MissingBalanceArguments: return "malformed pattern (missing arguments to '%b')";
    case Fault::MissingFrontierSet: return "missing '[' after '%f' in pattern";
    case Fault::InvalidCaptureIndex: return "invalid capture index";
    case Fault::InvalidPatternCapture: return "invalid pattern capture";
    case Fault::TooManyCaptures: return "too many captures";
    case Fault::TooComplex: return "pattern too complex";
    case Fault::OutOfBudget: return "plugin exceeded its time budget";
    }
    return "";
}

bool Matcher::chargePending() noexcept {
    if (fault_ == Fault::OutOfBudget) return false;
    const uint64_t steps = pendingSteps_;
    pendingSteps_ = 0;
    return charge_ == nullptr || steps == 0 || charge_(payer_, steps);
}

void Matcher::step(uint64_t steps) {
    pendingSteps_ += steps;
    if (pendingSteps_ < kStepsPerCharge) return;
    const uint64_t spent = pendingSteps_;
    pendingSteps_ = 0;
    if (charge_ != nullptr && !charge_(payer_, spent)) stop(Fault::OutOfBudget);
}

void Matcher::stop(Fault fault, int capture) {
    fault_ = fault;
    faultCapture_ = capture;
    throw Stop{};
}

// Matches pattern_[p..] at subject_[s..]. Items that cannot fail later (a plain character, %b, %f, a
// back-reference) continue in the loop; alternatives that may have to be undone recurse, and only those
// count against the depth.
size_t Matcher::match(size_t s, size_t p) {
    if (depthLeft_ == 0) stop(Fault::TooComplex);
    --depthLeft_;
    size_t result = kNoMatch;
    for (;;) {
        step();
        if (p == patternLength_) {
            result = s;
            break;
        }
        const char item = pattern_[p];
        const bool hasNext = p + 1 < patternLength_;
        if (item == '(') {
            result = hasNext && pattern_[p + 1] == ')' ? openCapture(s, p + 2, Capture::Kind::Position)
                                                      : openCapture(s, p + 1, Capture::Kind::Open);
            break;
        }
        if (item == ')') {
            result = closeCapture(s, p + 1);
            break;
        }
        if (item == '$' && !hasNext) {  // '$' anchors only as the pattern's last character
            result = s == subjectLength_ ? s : kNoMatch;
            break;
        }
        if (item == kEscape && hasNext && pattern_[p + 1] == 'b') {
            s = balanced(s, p + 2);
            if (s == kNoMatch) break;
            p += 4;
            continue;
        }
        if (item == kEscape && hasNext && pattern_[p + 1] == 'f') {
            p += 2;
            if (p >= patternLength_ || pattern_[p] != '[') stop(Fault::MissingFrontierSet);
            const size_t end = endOfClass(p);
            const unsigned char before = s == 0 ? '\0' : static_cast<unsigned char>(subject_[s - 1]);
            const unsigned char here = s < subjectLength_ ? static_cast<unsigned char>(subject_[s]) : '\0';
            if (inSet(before, p, end - 1) || !inSet(here, p, end - 1)) break;
            p = end;
            continue;
        }
        if (item == kEscape && hasNext && isDigit(pattern_[p + 1])) {
            s = backReference(s, pattern_[p + 1]);
            if (s == kNoMatch) break;
            p += 2;
            continue;
        }
        // One character class, maybe followed by a quantifier.
        const size_t end = endOfClass(p);
        const char quantifier = end < patternLength_ ? pattern_[end] : '\0';
        if (!singleMatches(s, p, end)) {
            if (quantifier == '*' || quantifier == '?' || quantifier == '-') {  // zero repetitions will do
                p = end + 1;
                continue;
            }
            break;
        }
        if (quantifier == '?') {
            result = match(s + 1, end + 1);
            if (result != kNoMatch) break;
            p = end + 1;
            continue;
        }
        if (quantifier == '+') {
            result = longest(s + 1, p, end);
            break;
        }
        if (quantifier == '*') {
            result = longest(s, p, end);
            break;
        }
        if (quantifier == '-') {
            result = shortest(s, p, end);
            break;
        }
        ++s;
        p = end;
    }
    ++depthLeft_;
    return result;
}

size_t Matcher::openCapture(size_t s, size_t p, Capture::Kind kind) {
    if (level_ >= kMaxCaptures) stop(Fault::TooManyCaptures);
    captures_[level_] = Capture{kind, s, 0};
    ++level_;
    const size_t result = match(s, p);
    if (result == kNoMatch) --level_;
    return result;
}

size_t Matcher::closeCapture(size_t s, size_t p) {
    int open = level_ - 1;
    while (open >= 0 && captures_[open].kind != Capture::Kind::Open) --open;
    if (open < 0) stop(Fault::InvalidPatternCapture);
    Capture& capture = captures_[open];
    capture.kind = Capture::Kind::Text;
    capture.length = s - capture.start;
    const size_t result = match(s, p);
    if (result == kNoMatch) capture.kind = Capture::Kind::Open;
    return result;
}

// %bxy at s: x, then anything with x and y balanced, then the y that closes it.
size_t Matcher::balanced(size_t s, size_t p) {
    if (p + 1 >= patternLength_) stop(Fault::MissingBalanceArguments);
    const char open = pattern_[p], close = pattern_[p + 1];
    if (s >= subjectLength_ || subject_[s] != open) return kNoMatch;
    int depth = 1;
    for (size_t i = s + 1; i < subjectLength_; ++i) {
        step();
        if (subject_[i] == close) {
            if (--depth == 0) return i + 1;
        } else if (subject_[i] == open) {
            ++depth;
        }
    }
    return kNoMatch;
}

// %1-%9: the text of a closed capture again. A position capture has no text and never matches.
size_t Matcher::backReference(size_t s, char digit) {
    const int index = digit - '1';
    if (index < 0 || index >= level_ || captures_[index].kind == Capture::Kind::Open)
        stop(Fault::InvalidCaptureIndex, index + 1);
    const Capture& capture = captures_[index];
    if (capture.kind != Capture::Kind::Text) return kNoMatch;
    step(capture.length / 32);  // the comparison is linear in the capture's length
    if (subjectLength_ - s < capture.length) return kNoMatch;
    if (std::memcmp(subject_ + capture.start, subject_ + s, capture.length) != 0) return kNoMatch;
    return s + capture.length;
}

// x* and x+ (after its first x): as many as match, then give them back one by one until the rest matches.
size_t Matcher::longest(size_t s, size_t p, size_t classEnd) {
    size_t count = 0;
    while (singleMatches(s + count, p, classEnd)) {
        step();
        ++count;
    }
    for (size_t taken = count + 1; taken-- > 0;) {
        const size_t result = match(s + taken, classEnd + 1);
        if (result != kNoMatch) return result;
    }
    return kNoMatch;
}

// x-: as few as will do, one more each time the rest does not match.
size_t Matcher::shortest(size_t s, size_t p, size_t classEnd) {
    for (;;) {
        const size_t result = match(s, classEnd + 1);
        if (result != kNoMatch) return result;
        if (!singleMatches(s, p, classEnd)) return kNoMatch;
        step();
        ++s;
    }
}

// The offset just after the character class starting at p: "x", "%x", or a set "[...]" (whose first
// character, even ']', belongs to it; "%]" inside does not close it).
size_t Matcher::endOfClass(size_t p) {
    const char first = pattern_[p++];
    if (first == kEscape) {
        if (p >= patternLength_) stop(Fault::EndsWithEscape);
        return p + 1;
    }
    if (first != '[') return p;
    if (p < patternLength_ && pattern_[p] == '^') ++p;
    do {
        if (p >= patternLength_) stop(Fault::MissingBracket);
        const char c = pattern_[p++];
        if (c == kEscape && p < patternLength_) ++p;
    } while (p >= patternLength_ || pattern_[p] != ']');
    return p + 1;
}

bool Matcher::singleMatches(size_t s, size_t p, size_t classEnd) {
    if (s >= subjectLength_) return false;
    const auto c = static_cast<unsigned char>(subject_[s]);
    switch (pattern_[p]) {
    case '.': return true;
    case kEscape: return classMatches(c, static_cast<unsigned char>(pattern_[p + 1]));
    case '[': return inSet(c, p, classEnd - 1);
    default: return static_cast<unsigned char>(pattern_[p]) == c;
    }
}

// The set pattern_[open..close] ("[", maybe "^", items, "]"): classes %x, ranges a-z and single characters.
bool Matcher::inSet(unsigned char c, size_t open, size_t close) const {
    size_t i = open + 1;
    const bool negated = pattern_[i] == '^';
    if (negated) ++i;
    for (; i < close; ++i) {
        const auto item = static_cast<unsigned char>(pattern_[i]);
        if (item == kEscape) {
            ++i;
            if (classMatches(c, static_cast<unsigned char>(pattern_[i]))) return !negated;
        } else if (i + 2 < close && pattern_[i + 1] == '-') {
            if (item <= c && c <= static_cast<unsigned char>(pattern_[i + 2])) return !negated;
            i += 2;
        } else if (item == c) {
            return !negated;
        }
    }
    return negated;
}

}  // namespace kh::plugins::pattern
