// Run-time settings (the home-reception URL, and later everything the web admin changes): one value per
// key, every change kept in the history with who made it and when.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace kh::store {

struct Setting {
    std::string key, value, updatedBy;
    int64_t updatedAt = 0;
};

class Settings {
public:
    explicit Settings(Store& store) : db_(store.db()) {}
    // Without the keys (settings are not sealed): `kakehashi check-config` reads them as the service user,
    // without the credentials the service gets.
    explicit Settings(Database& db) : db_(db) {}
    std::optional<Setting> get(const std::string& key);
    void set(const std::string& key, const std::string& value, const std::string& by);
    std::vector<Setting> history(const std::string& key, int limit = 50);  // newest first

private:
    Database& db_;
};

}  // namespace kh::store
