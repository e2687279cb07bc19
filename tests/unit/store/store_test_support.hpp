// Helpers shared by the store tests: a fresh folder per test and whole-file reads (to look for clear text).
#pragma once
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>

#include "../temp_dir.hpp"

namespace kh::store::test {

inline std::string tempDir() { return kh::test::tempDir("store"); }

inline std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace kh::store::test
