// Log lines on stderr: one event a line, "time event=name key=value …". Only ids, paths, statuses,
// counts and durations are ever passed in — never names or insured numbers.
#pragma once
#include <initializer_list>
#include <string>
#include <utility>

namespace ksim {

using LogField = std::pair<const char*, std::string>;

void logEvent(const char* event, std::initializer_list<LogField> fields);

}  // namespace ksim
