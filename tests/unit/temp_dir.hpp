// A fresh, private folder for one test (under /tmp, named after what uses it).
#pragma once
#include <stdlib.h>

#include <stdexcept>
#include <string>

namespace kh::test {

inline std::string tempDir(const std::string& what = "test") {
    std::string pattern = "/tmp/kakehashi-" + what + "-XXXXXX";
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

}  // namespace kh::test
