// The numbered schema migrations (store/migrations/NNNN_name.sql), embedded at build time.
#pragma once
#include <vector>

namespace kh::store {
struct Migration {
    int version;
    const char* name;
    const char* sql;
};
const std::vector<Migration>& migrations();  // ascending by version
}  // namespace kh::store
