// Lua 5.4 pattern matching (reference manual §6.4.1) as a bounded engine: the same answers as Lua's
// string library, but every step is counted and charged to a budget, and the recursion has a fixed depth,
// so a backtracking pattern can never keep a core busy past the plugin's deadline. It knows nothing of
// Lua's API: host_pattern.cpp builds string.find/match/gmatch/gsub on it.
//
// A Matcher holds only plain data (it is trivially destructible), so it may live in a C++ frame that a Lua
// error unwinds; its own faults never leave it as exceptions but as fault() after matchAt returns.
#pragma once
#include <cstddef>
#include <cstdint>

namespace kh::plugins::pattern {

constexpr int kMaxCaptures = 32;               // as Lua's LUA_MAXCAPTURES
constexpr int kMaxDepth = 200;                 // nested match steps per attempt, as Lua's MAXCCALLS
constexpr uint64_t kStepsPerCharge = 1000;     // steps between two looks at the budget
constexpr size_t kNoMatch = SIZE_MAX;

// Why an attempt ended without an answer. Every kind but OutOfBudget is a mistake in the pattern, met
// when the matcher reaches that part of it (as in Lua, a pattern is checked only as far as it is used).
enum class Fault {
    None,
    EndsWithEscape,           // malformed pattern (ends with '%')
    MissingBracket,           // malformed pattern (missing ']')
    MissingBalanceArguments,  // malformed pattern (missing arguments to '%b')
    MissingFrontierSet,       // missing '[' after '%f' in pattern
    InvalidCaptureIndex,      // invalid capture index %N (faultCapture() is N)
    InvalidPatternCapture,    // a ')' with no open capture
    TooManyCaptures,
    TooComplex,               // deeper than kMaxDepth
    OutOfBudget,              // the budget said stop
};

// What a capture holds once an attempt succeeded: a substring, or a position "()".
struct Capture {
    enum class Kind { Open, Text, Position };
    Kind kind = Kind::Open;  // Open: started, never closed ("unfinished capture" when read)
    size_t start = 0;        // offset in the subject
    size_t length = 0;       // Text only
};

// Called every kStepsPerCharge steps with the steps spent; returns false when the work must stop.
using ChargeSteps = bool (*)(void* payer, uint64_t steps);

class Matcher {
public:
    // The subject and the pattern must outlive the matcher. A null `charge` means an unlimited budget.
    Matcher(const char* subject, size_t subjectLength, const char* pattern, size_t patternLength,
            ChargeSteps charge, void* payer);

    // Matches the pattern (from byte `patternStart`, to skip an anchor '^') at subject offset `at`:
    // returns the end offset of the match, or kNoMatch; on a fault, kNoMatch with fault() set.
    size_t matchAt(size_t at, size_t patternStart = 0) noexcept;

    Fault fault() const { return fault_; }
    int faultCapture() const { return faultCapture_; }  // for InvalidCaptureIndex: the N of %N
    // The message Lua gives for the fault, without the capture number (see faultCapture()).
    const char* faultMessage() const;

    // The captures of the last successful attempt.
    int captureCount() const { return level_; }
    const Capture& capture(int i) const { return captures_[i]; }

    // Charges the steps not charged yet (a call ends with fewer than kStepsPerCharge pending). False when
    // the budget says stop.
    bool chargePending() noexcept;

private:
    struct Stop {};  // thrown inside the engine only, after fault_ is set; caught by matchAt

    size_t match(size_t s, size_t p);
    size_t openCapture(size_t s, size_t p, Capture::Kind kind);
    size_t closeCapture(size_t s, size_t p);
    size_t balanced(size_t s, size_t p);
    size_t backReference(size_t s, char digit);
    size_t longest(size_t s, size_t p, size_t classEnd);
    size_t shortest(size_t s, size_t p, size_t classEnd);
    size_t endOfClass(size_t p);
    bool singleMatches(size_t s, size_t p, size_t classEnd);
    bool inSet(unsigned char c, size_t open, size_t close) const;
    void step(uint64_t steps = 1);
    [[noreturn]] void stop(Fault fault, int capture = 0);

    const char* subject_;
    size_t subjectLength_;
    const char* pattern_;
    size_t patternLength_;
    ChargeSteps charge_;
    void* payer_;
    uint64_t pendingSteps_ = 0;
    int depthLeft_ = kMaxDepth;
    int level_ = 0;
    Fault fault_ = Fault::None;
    int faultCapture_ = 0;
    Capture captures_[kMaxCaptures];
};

// %a %c %d %g %l %p %s %u %w %x (and Lua's old %z, the zero byte) and their upper-case complements; any
// other character stands for itself.
bool classMatches(unsigned char c, unsigned char classLetter);

}  // namespace kh::plugins::pattern
