// Messages a vendor adapter could not handle: kept sealed with the error, so staff can see why and have
// them processed again once the plugin is fixed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct DeadLetter {
    int64_t id = 0, at = 0;
    std::string channel, name, errorCode, error;
};

class DeadLetters {
public:
    explicit DeadLetters(Store& store) : store_(store) {}
    int64_t add(const std::string& channel, const std::string& name, const std::string& errorCode,
                const std::string& error, const std::string& body);
    std::vector<DeadLetter> recent(int limit = 100);
    std::string body(int64_t id);

private:
    Store& store_;
};

}  // namespace kh::store
