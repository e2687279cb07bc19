// Files taken from the req/ folder. A file is recorded (sealed) before it is removed from req/, and its
// state says what is left to do, so a restart answers every accepted file exactly once.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct InboundFile {
    int64_t id = 0;
    std::string name, sha256, kind, encoding, state;
    int64_t ticket = 0;  // outbound item while waiting
    std::string body;    // opened
};

class InboundFiles {
public:
    explicit InboundFiles(Store& store) : store_(store) {}
    // Returns the id; an identical (name, content) already recorded returns the existing id.
    int64_t accept(const std::string& name, const std::string& sha256, const std::string& kind,
                   const std::string& encoding, const std::string& body);
    std::vector<InboundFile> open(const std::string& state);  // accepted | waiting, oldest first
    void waitFor(int64_t id, int64_t ticket);
    void answered(int64_t id);
    std::optional<InboundFile> get(int64_t id);

private:
    Store& store_;
};

}  // namespace kh::store
