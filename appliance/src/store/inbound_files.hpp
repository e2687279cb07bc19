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
    std::string body;    // opened; empty once patient data has passed its retention period
    std::string channel = "spec";  // spec | plugin:<id>
    std::vector<int64_t> tickets;  // per entry, for multi-entry vendor messages (0 = answered locally)
};

class InboundFiles {
public:
    explicit InboundFiles(Store& store) : store_(store) {}
    // Returns the id; an identical (name, content) already recorded returns the existing id.
    int64_t accept(const std::string& name, const std::string& sha256, const std::string& kind,
                   const std::string& encoding, const std::string& body, const std::string& channel = "spec");
    // accepted | waiting rows of one channel ("plugin:" matches every plugin channel), oldest first
    std::vector<InboundFile> open(const std::string& state, const std::string& channel = "spec");
    void waitFor(int64_t id, int64_t ticket);
    void waitForEach(int64_t id, const std::vector<int64_t>& tickets);
    void answered(int64_t id);
    // Never answerable (`why` names the cause, never patient data): taken out of the open rows for good.
    void failed(int64_t id, const std::string& why);
    std::optional<InboundFile> get(int64_t id);

private:
    InboundFile read(Statement& st);
    Store& store_;
};

}  // namespace kh::store
