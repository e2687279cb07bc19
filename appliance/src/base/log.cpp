#include "base/log.hpp"

#include "base/json_string.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <mutex>

namespace kh::log {
namespace {
std::atomic<Level> gLevel{Level::Info};
std::mutex gMutex;
constexpr size_t kKeptLines = 2000;  // the newest lines, for the web admin's log viewer
std::deque<std::string> gRecent;      // under gMutex

const char* levelName(Level l) {
    switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    default: return "error";
    }
}

std::string utcNow() {
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::time_t t = std::time_t(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
    return buf;
}

void emit(Level level, const char* event, Fields fields) {
    std::string line = "{\"ts\":\"" + utcNow() + "\",\"level\":\"" + levelName(level) + "\",\"event\":";
    base::appendJsonString(line, event);
    for (const auto& [k, v] : fields) {
        line += ",";
        base::appendJsonString(line, k);
        line += ":";
        base::appendJsonString(line, v);
    }
    line += "}\n";
    std::lock_guard<std::mutex> l(gMutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
    gRecent.push_back(line.substr(0, line.size() - 1));
    if (gRecent.size() > kKeptLines) gRecent.pop_front();
}
}  // namespace

void setLevel(Level level) { gLevel = level; }

bool parseLevel(const std::string& name, Level& out) {
    if (name == "debug") out = Level::Debug;
    else if (name == "info") out = Level::Info;
    else if (name == "warn") out = Level::Warn;
    else if (name == "error") out = Level::Error;
    else return false;
    return true;
}

void write(Level level, const char* event, Fields fields) {
    if (level < gLevel.load()) return;
    emit(level, event, fields);
}

void record(const char* event, Fields fields) { emit(Level::Info, event, fields); }

std::vector<std::string> recentLines() {
    std::lock_guard<std::mutex> l(gMutex);
    return {gRecent.begin(), gRecent.end()};
}

}  // namespace kh::log
