// RAII access to the SQLite database: one connection, WAL, foreign keys, numbered migrations.
// The connection is shared by threads and reachable only through the Connection that `lock()` returns;
// statements are prepared per use and cached.
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

class Database;

// The connection while it is held: the only way to run SQL. `Database::lock()` hands one out; it holds the
// database's (recursive) mutex until it is destroyed, so no statement can run on a connection another
// thread is using. Move-only; a moved-from Connection holds nothing and must not be used.
class Connection {
public:
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&&) = delete;
    Connection(const Connection&) = delete;
    ~Connection() = default;

    Statement prepare(const std::string& sql);  // cached per SQL text
    void exec(const std::string& sql);
    // SQLite's data_version: changes when another connection (another process) committed to the file
    // since the last call on this one; this connection's own commits leave it.
    int64_t dataVersion();
    int64_t lastInsertId() const;
    int changes() const;

private:
    friend class Database;
    explicit Connection(Database& db);
    int64_t pragmaValue(const std::string& name);

    Database* db_;
    std::unique_lock<std::recursive_mutex> lock_;
};

class Database {
public:
    explicit Database(const std::string& path);  // creates the file (0600) and applies migrations
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    Connection lock() { return Connection(*this); }  // waits while another thread holds the connection
    int schemaVersion();

private:
    friend class Connection;
    void migrate();

    sqlite3* db_ = nullptr;
    std::recursive_mutex mutex_;
    std::map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE … COMMIT on a held connection, rolled back if the scope is left by an exception. It is a
// Connection, so the statements of the transaction run on it, and a function that must run inside one
// takes a `Transaction&`.
class Transaction : public Connection {
public:
    explicit Transaction(Database& db);
    Transaction(Transaction&&) = delete;
    ~Transaction();
    void commit();

private:
    bool done_ = false;
};

// BEGIN DEFERRED … COMMIT on a held connection: what it reads is of one moment, while in WAL mode another
// connection (the journal's, another process) goes on writing. Only for reading.
class ReadTransaction : public Connection {
public:
    explicit ReadTransaction(Database& db);
    ReadTransaction(ReadTransaction&&) = delete;
    ~ReadTransaction();
};

}  // namespace kh::store
