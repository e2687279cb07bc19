#include "store/database.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <stdexcept>
#include <utility>
#include <vector>

#include "store/migrations.hpp"

namespace kh::store {
namespace {
[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    throw std::runtime_error("sqlite: " + what + ": " + (db ? sqlite3_errmsg(db) : "no connection"));
}
}  // namespace

Statement::~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int i, int64_t v) {
    if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) fail(db_, "bind");
    return *this;
}
Statement& Statement::bind(int i, std::string_view t) {
    if (sqlite3_bind_text(stmt_, i, t.data(), int(t.size()), SQLITE_TRANSIENT) != SQLITE_OK) fail(db_, "bind");
    return *this;
}
Statement& Statement::bindBlob(int i, std::string_view b) {
    if (sqlite3_bind_blob(stmt_, i, b.data(), int(b.size()), SQLITE_TRANSIENT) != SQLITE_OK) fail(db_, "bind");
    return *this;
}
Statement& Statement::bindNull(int i) {
    if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) fail(db_, "bind");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "step");
}
void Statement::run() {
    while (step()) {
    }
}

int64_t Statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string Statement::text(int col) const {
    auto p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(stmt_, col))) : std::string();
}
std::string Statement::blob(int col) const {
    auto p = sqlite3_column_blob(stmt_, col);
    return p ? std::string(static_cast<const char*>(p), size_t(sqlite3_column_bytes(stmt_, col))) : std::string();
}
bool Statement::isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Database::Database(const std::string& path) {
    mode_t old = umask(077);  // the database holds sealed patient data: owner only
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    umask(old);
    if (rc != SQLITE_OK) fail(db_, "open " + path);
    sqlite3_busy_timeout(db_, 5000);
    {
        auto conn = lock();
        // Incremental auto-vacuum, so what retention deletes goes back to the file system. It must be set
        // before the first table; a database made before it gets it once, with a VACUUM, on the next start.
        conn.exec("PRAGMA auto_vacuum=INCREMENTAL");
        if (conn.pragmaValue("auto_vacuum") != 2) conn.exec("VACUUM");
        // WAL + synchronous=FULL: a commit (journal, queue) is on disk before it is acknowledged.
        conn.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    }
    migrate();
}

Database::~Database() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

Connection::Connection(Database& db) : db_(&db), lock_(db.mutex_) {}
Connection::Connection(Connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)), lock_(std::move(other.lock_)) {}

Statement Connection::prepare(const std::string& sql) {
    auto& cache = db_->cache_;
    auto it = cache.find(sql);
    if (it == cache.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_->db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) fail(db_->db_, "prepare");
        it = cache.emplace(sql, stmt).first;
    }
    return Statement(db_->db_, it->second);
}

void Connection::exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_->db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "?";
        sqlite3_free(err);
        throw std::runtime_error("sqlite: exec: " + msg);
    }
}

int64_t Connection::pragmaValue(const std::string& name) {
    auto st = prepare("PRAGMA " + name);
    return st.step() ? st.int64(0) : 0;
}

int64_t Connection::dataVersion() { return pragmaValue("data_version"); }

int64_t Connection::lastInsertId() const { return sqlite3_last_insert_rowid(db_->db_); }
int Connection::changes() const { return sqlite3_changes(db_->db_); }

int Database::schemaVersion() {
    auto conn = lock();
    auto st = conn.prepare("SELECT COALESCE(MAX(version),0) FROM schema_migrations");
    st.step();
    return int(st.int64(0));
}

// Each numbered SQL file is applied once, in order, inside its own transaction, and recorded.
void Database::migrate() {
    auto conn = lock();
    conn.exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
    int current = schemaVersion();
    for (const auto& m : migrations()) {
        if (m.version <= current) continue;
        Transaction tx(*this);
        tx.exec(m.sql);
        tx.prepare("INSERT INTO schema_migrations(version, applied_at) VALUES(?, strftime('%s','now'))").bind(1, m.version).run();
        tx.commit();
    }
}

Transaction::Transaction(Database& db) : Connection(db.lock()) { exec("BEGIN IMMEDIATE"); }
Transaction::~Transaction() {
    if (!done_) {
        try {
            exec("ROLLBACK");
        } catch (...) {
        }
    }
}
void Transaction::commit() {
    exec("COMMIT");
    done_ = true;
}

ReadTransaction::ReadTransaction(Database& db) : Connection(db.lock()) { exec("BEGIN DEFERRED"); }
ReadTransaction::~ReadTransaction() {
    try {
        exec("COMMIT");
    } catch (...) {
    }
}

}  // namespace kh::store
