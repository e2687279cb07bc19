// Structured logs: one JSON object a line on stderr (journald picks it up). Fields carry ids, counts and
// states only — never names, insured numbers or other patient data.
#pragma once
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace kh::log {

enum class Level { Debug, Info, Warn, Error };
using Fields = std::initializer_list<std::pair<const char*, std::string>>;

void setLevel(Level level);
bool parseLevel(const std::string& name, Level& out);
void write(Level level, const char* event, Fields fields);
// An info line written whatever the level: records the journal must keep as witnesses (audit checkpoints).
void record(const char* event, Fields fields);

// The newest lines written (at most 2000, oldest first), each one JSON object: the web admin shows them.
std::vector<std::string> recentLines();

inline void debug(const char* event, Fields f = {}) { write(Level::Debug, event, f); }
inline void info(const char* event, Fields f = {}) { write(Level::Info, event, f); }
inline void warn(const char* event, Fields f = {}) { write(Level::Warn, event, f); }
inline void error(const char* event, Fields f = {}) { write(Level::Error, event, f); }

}  // namespace kh::log
