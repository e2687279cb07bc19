// When to try again to answer a file whose answer could not be written (a full disk, a folder in the
// way): a few times with growing pauses when the cause may pass, never again when it cannot (the name is
// too long for a result file, something of that name is in the way). Other files never wait for it.
#pragma once
#include <cstdint>
#include <exception>
#include <map>

namespace kh::endpoint {

class AnswerRetries {
public:
    bool due(int64_t id) const;
    void succeeded(int64_t id) { retries_.erase(id); }
    // Records a failed try; true when the file is to be given up (marked failed) rather than tried again.
    bool giveUp(int64_t id, const std::exception& e);
    int attempts(int64_t id) const;

private:
    struct Retry {
        int attempts = 0;
        int64_t notBeforeMs = 0;
    };
    std::map<int64_t, Retry> retries_;
};

// A cause no second try changes: a refused name, or a name the file system will not take.
bool isPermanentFileError(const std::exception& e);

}  // namespace kh::endpoint
