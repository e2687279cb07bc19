#include "endpoint/answer_retries.hpp"

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>

namespace kh::endpoint {
namespace {
constexpr int kMaxAttempts = 5;
constexpr int64_t kFirstPauseMs = 2000;  // then 4 s, 8 s, 16 s

int64_t steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

bool isPermanentFileError(const std::exception& e) {
    if (dynamic_cast<const std::invalid_argument*>(&e)) return true;
    const auto* system = dynamic_cast<const std::system_error*>(&e);
    if (!system || system->code().category() != std::generic_category()) return false;
    switch (system->code().value()) {
    case ENAMETOOLONG: case EISDIR: case ENOTDIR: case ELOOP: case EEXIST: case ENOTEMPTY: case EINVAL: return true;
    default: return false;
    }
}

bool AnswerRetries::due(int64_t id) const {
    auto it = retries_.find(id);
    return it == retries_.end() || steadyMs() >= it->second.notBeforeMs;
}

int AnswerRetries::attempts(int64_t id) const {
    auto it = retries_.find(id);
    return it == retries_.end() ? 0 : it->second.attempts;
}

bool AnswerRetries::giveUp(int64_t id, const std::exception& e) {
    Retry& r = retries_[id];
    ++r.attempts;
    if (isPermanentFileError(e) || r.attempts >= kMaxAttempts) {
        retries_.erase(id);
        return true;
    }
    r.notBeforeMs = steadyMs() + (kFirstPauseMs << (r.attempts - 1));
    return false;
}

}  // namespace kh::endpoint
