// The store: the database, the data key that seals patient payloads and the audit key that chains the
// audit log, opened together.
#pragma once
#include <memory>
#include <string>

#include "store/data_key.hpp"
#include "store/database.hpp"

namespace kh::store {

class Store {
public:
    Store(const std::string& databasePath, const std::string& keyDir)
        : path_(databasePath), key_(DataKey::loadOrCreate(keyDir)), auditKey_(AuditKey::loadOrCreate(keyDir)),
          db_(databasePath) {}
    Database& db() { return db_; }
    const DataKey& key() const { return key_; }
    const AuditKey& auditKey() const { return auditKey_; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    DataKey key_;
    AuditKey auditKey_;
    Database db_;
};

int64_t nowSeconds();

}  // namespace kh::store
