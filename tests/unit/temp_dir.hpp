// A fresh, private folder for one test (under /tmp, named after what uses it).
#pragma once
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace kh::test {

inline std::string tempDir(const std::string& what = "test") {
    std::string pattern = "/tmp/kakehashi-" + what + "-XXXXXX";
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

// The same, removed with everything in it when the test ends.
struct TempDir {
    std::string path = tempDir();
    TempDir() = default;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

}  // namespace kh::test
