// RAII access to the SQLite database: one connection, WAL, foreign keys, numbered migrations.
// The connection is shared by threads through `lock()`; statements are prepared per use and cached.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace kh::store {

class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Statement(Statement&&) = delete;
    ~Statement();  // resets and clears bindings, so the cached statement is ready for reuse

    Statement& bind(int i, int64_t v);
    Statement& bind(int i, std::string_view text);
    Statement& bindBlob(int i, std::string_view bytes);
    Statement& bindNull(int i);
    bool step();  // true while a row is available; throws on error
    void run();   // step to completion

    int64_t int64(int col) const;
    std::string text(int col) const;
    std::string blob(int col) const;
    bool isNull(int col) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

class Database {
public:
    explicit Database(const std::string& path);  // creates the file (0600) and applies migrations
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    std::unique_lock<std::recursive_mutex> lock() { return std::unique_lock<std::recursive_mutex>(mutex_); }
    Statement prepare(const std::string& sql);  // caller holds lock()
    void exec(const std::string& sql);          // caller holds lock()
    // SQLite's data_version: changes when another connection (another process) committed to the file
    // since the last call on this one; this connection's own commits leave it. Caller holds lock().
    int64_t dataVersion();
    int64_t lastInsertId() const;
    int changes() const;
    int schemaVersion();

private:
    void migrate();
    int64_t pragmaValue(const std::string& name);

    sqlite3* db_ = nullptr;
    std::recursive_mutex mutex_;
    std::map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE … COMMIT, rolled back if the scope is left by an exception.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();

private:
    Database& db_;
    std::unique_lock<std::recursive_mutex> lock_;
    bool done_ = false;
};

}  // namespace kh::store
