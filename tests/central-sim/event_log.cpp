#include "event_log.hpp"

#include <iostream>
#include <mutex>

#include "japan_time.hpp"

namespace ksim {

namespace {

// Keeps a value on one line, whatever a client sent: printable ASCII only, quoted when it has spaces.
std::string printable(const std::string& value) {
    if (value.empty()) return "-";
    std::string out;
    bool quote = false;
    for (char c : value) {
        if (c == ' ' || c == '"' || c == '\\') quote = true;
        if (c == '"' || c == '\\') out += '\\';
        out += (c >= 0x20 && c < 0x7F) ? c : '?';
    }
    return quote ? '"' + out + '"' : out;
}

}  // namespace

void logEvent(const char* event, std::initializer_list<LogField> fields) {
    std::string line = jstIsoNow() + " event=" + event;
    for (const auto& [key, value] : fields) line += std::string(" ") + key + "=" + printable(value);
    line += '\n';
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    std::cerr << line << std::flush;
}

}  // namespace ksim
