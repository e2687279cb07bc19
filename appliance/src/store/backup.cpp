#include "store/backup.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include "base/files.hpp"
#include "base/json_string.hpp"
#include "base/log.hpp"
#include "crypto/encoding.hpp"
#include "crypto/primitives.hpp"
#include "model/errors.hpp"
#include "model/japan_date.hpp"
#include "store/api_clients.hpp"
#include "store/audit_log.hpp"
#include "store/migrations.hpp"

namespace kh::store {
namespace {
namespace fs = std::filesystem;

constexpr const char* kFormat = "kakehashi-backup-1";
constexpr const char* kPendingFile = "/restore-pending.json";
constexpr size_t kMaxDepth = 8;  // the archive nests 6 deep: document, tables, table, rows, row, blob cell

const std::vector<std::string> kRequiredTables = {"settings", "settings_history", "admin_users", "admin_recovery_codes",
                                                   "api_clients"};
constexpr const char* kCacheTable = "eligibility_cache";
const std::vector<std::string> kTlsFolders = {"tls", "admin-tls"};  // under the state folder
// Never emptied by a restore: the schema's record, and this box's own audit trail and its checkpoints.
const std::set<std::string> kKeptTables = {"schema_migrations", "audit_log", "audit_checkpoints"};

// A problem with an archive's content, turned into the staff's message by checkBackup.
struct Damaged : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Not an archive of this format at all (another file, or a later format).
struct UnknownFormat : Damaged {
    UnknownFormat() : Damaged("format") {}
};

// --- the archive as data -------------------------------------------------------------------------------

struct Cell {
    enum class Kind { Null, Integer, Text, Blob };
    Kind kind = Kind::Null;
    int64_t integer = 0;
    std::string bytes;  // text or blob
};

struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<Cell>> rows;
};

struct File {
    std::string path;  // "tls/<name>" or "admin-tls/<name>", under the state folder
    std::string bytes;
};

struct Archive {
    std::string createdAt;
    int schemaVersion = 0;
    std::string dataKey;
    std::string auditCheckpoint;  // a checkpoint line, "" when the archive has none
    std::map<std::string, Table> tables;
    std::vector<File> files;

    ~Archive() { crypto::secureZero(dataKey); }
};

int64_t rowsOf(const Archive& a, const std::string& table) {
    auto it = a.tables.find(table);
    return it == a.tables.end() ? 0 : int64_t(it->second.rows.size());
}

BackupSummary summarise(const Archive& a, const std::string& keyDir) {
    BackupSummary s{a.createdAt, rowsOf(a, "admin_users"), rowsOf(a, "settings"), rowsOf(a, "api_clients"),
                    rowsOf(a, kCacheTable), true, a.auditCheckpoint};
    if (auto current = DataKey::currentBytes(keyDir)) {
        s.replacesDataKey = !crypto::constantTimeEqual(*current, a.dataKey);
        crypto::secureZero(*current);
    }
    return s;
}

// --- reading the store ---------------------------------------------------------------------------------

struct Column {
    std::string name;
    Cell::Kind kind;  // from the declared type: INTEGER, BLOB, otherwise text
};

std::vector<Column> columnsOf(Connection& conn, const std::string& table) {
    std::vector<Column> out;
    auto st = conn.prepare("PRAGMA table_info(" + table + ")");
    while (st.step()) {
        std::string type = st.text(2);
        std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return char(std::toupper(c)); });
        Cell::Kind kind = type.find("INT") != std::string::npos    ? Cell::Kind::Integer
                          : type.find("BLOB") != std::string::npos ? Cell::Kind::Blob
                                                                   : Cell::Kind::Text;
        out.push_back({st.text(1), kind});
    }
    if (out.empty()) throw std::runtime_error("the store has no table " + table);
    return out;
}

void appendCell(std::string& out, Statement& st, int col, Cell::Kind kind) {
    if (st.isNull(col)) {
        out += "null";
    } else if (kind == Cell::Kind::Integer) {
        out += std::to_string(st.int64(col));
    } else if (kind == Cell::Kind::Blob) {
        out += "{\"base64\":";
        base::appendJsonString(out, crypto::base64Encode(st.blob(col)));
        out += '}';
    } else {
        base::appendJsonString(out, st.text(col));
    }
}

// "name":{"columns":[…],"rows":[[…],…]}; returns the number of rows.
int64_t appendTable(std::string& out, Connection& conn, const std::string& table) {
    auto columns = columnsOf(conn, table);
    std::string list;
    base::appendJsonString(out, table);
    out += ":{\"columns\":[";
    for (size_t i = 0; i < columns.size(); ++i) {
        if (i) {
            out += ',';
            list += ',';
        }
        base::appendJsonString(out, columns[i].name);
        list += columns[i].name;
    }
    out += "],\"rows\":[";
    int64_t rows = 0;
    auto st = conn.prepare("SELECT " + list + " FROM " + table + " ORDER BY rowid");
    while (st.step()) {
        out += rows++ ? ",[" : "[";
        for (size_t i = 0; i < columns.size(); ++i) {
            if (i) out += ',';
            appendCell(out, st, int(i), columns[i].kind);
        }
        out += ']';
    }
    out += "]}";
    return rows;
}

bool safeFileName(const std::string& name) {
    return !name.empty() && name.size() <= 128 && name[0] != '.' &&
           std::all_of(name.begin(), name.end(), [](unsigned char c) {
               return std::isalnum(c) || c == '.' || c == '_' || c == '-';
           });
}

// The regular files directly in each TLS folder (temporaries, being hidden, are left out).
std::vector<File> tlsFiles(const std::string& stateDir) {
    std::vector<File> out;
    for (const auto& folder : kTlsFolders) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(stateDir + "/" + folder, ec)) {
            std::string name = entry.path().filename().string();
            if (!entry.is_regular_file() || !safeFileName(name)) continue;
            auto bytes = base::tryReadFile(entry.path().string());
            if (!bytes) throw std::runtime_error("cannot read " + entry.path().string());
            out.push_back({folder + "/" + name, std::move(*bytes)});
        }
    }
    return out;
}

// The key file must hold the key the store is open with, or the sealed rows would not open afterwards.
std::string dataKeyBytes(Store& store, const std::string& keyDir) {
    auto bytes = DataKey::currentBytes(keyDir);
    if (!bytes) throw std::runtime_error("the data key in " + keyDir + " cannot be read");
    if (!store.key().holds(*bytes)) {
        crypto::secureZero(*bytes);
        throw std::runtime_error("the data key in " + keyDir + " is not the key the store uses");
    }
    return std::move(*bytes);
}

// Bytes as a base64 string member value, every copy zeroed after.
void appendSecret(std::string& out, std::string bytes) {
    std::string text = crypto::base64Encode(bytes);
    base::appendJsonString(out, text);
    crypto::secureZero(text);
    crypto::secureZero(bytes);
}

// The configuration tables (and the cache when asked), counted into `summary`.
// Every table as of one moment. A read transaction: the journal's own connection goes on writing meanwhile
// (an immediate one would hold it up for as long as a big cache takes).
void appendTables(std::string& out, Database& db, bool includeCache, BackupSummary& summary) {
    ReadTransaction snapshot(db);
    std::vector<std::string> tables = kRequiredTables;
    if (includeCache) tables.push_back(kCacheTable);
    for (size_t i = 0; i < tables.size(); ++i) {
        if (i) out += ',';
        int64_t rows = appendTable(out, snapshot, tables[i]);
        if (tables[i] == "admin_users") summary.users = rows;
        if (tables[i] == "settings") summary.settings = rows;
        if (tables[i] == "api_clients") summary.apiClients = rows;
        if (tables[i] == kCacheTable) summary.cacheEntries = rows;
    }
}

// --- decoding an archive (POCO JSON) --------------------------------------------------------------------

using Poco::JSON::Array;
using Poco::JSON::Object;
using Poco::Dynamic::Var;

bool isObject(const Var& v) { return v.type() == typeid(Object::Ptr); }
bool isArray(const Var& v) { return v.type() == typeid(Array::Ptr); }
bool isString(const Var& v) { return v.type() == typeid(std::string); }

Var member(const Object& o, const char* key) { return o.get(key); }  // empty when missing
std::string stringMember(const Object& o, const char* key) {
    Var v = member(o, key);
    if (!isString(v)) throw Damaged(std::string("member ") + key + " missing or of the wrong type");
    return v.extract<std::string>();
}
Array::Ptr arrayMember(const Object& o, const char* key) {
    Var v = member(o, key);
    if (!isArray(v)) throw Damaged(std::string("member ") + key + " missing or of the wrong type");
    return v.extract<Array::Ptr>();
}
Object::Ptr objectMember(const Object& o, const char* key) {
    Var v = member(o, key);
    if (!isObject(v)) throw Damaged(std::string("member ") + key + " missing or of the wrong type");
    return v.extract<Object::Ptr>();
}
// An integer that fits 64 bits signed; fractions, exponents and larger numbers are damage.
int64_t integerOf(const Var& v, const char* what) {
    if (!v.isInteger()) throw Damaged(std::string(what) + " is not an integer");
    try {
        return v.convert<Poco::Int64>();
    } catch (const Poco::RangeException&) {
        throw Damaged(std::string(what) + " is too large");
    }
}

std::string unbase64(const std::string& text, const char* what) {
    auto bytes = crypto::base64Decode(text);
    if (!bytes) throw Damaged(std::string(what) + " is not base64");
    return std::move(*bytes);
}

bool columnName(const std::string& s) {
    return !s.empty() && s.size() <= 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

Cell cellOf(const Var& j) {
    Cell c;
    if (j.isEmpty()) return c;  // null
    if (isString(j)) {
        c.kind = Cell::Kind::Text;
        c.bytes = j.extract<std::string>();
    } else if (isObject(j)) {
        const Object& o = *j.extract<Object::Ptr>();
        if (o.size() != 1) throw Damaged("a blob cell has other members");
        c.kind = Cell::Kind::Blob;
        c.bytes = unbase64(stringMember(o, "base64"), "a blob cell");
    } else if (j.isInteger()) {
        c.kind = Cell::Kind::Integer;
        c.integer = integerOf(j, "a cell");
    } else {
        throw Damaged("a cell of the wrong type");
    }
    return c;
}

Table tableOf(const Object& j, const std::string& name) {
    Table t;
    std::set<std::string> seen;
    Array::Ptr columns = arrayMember(j, "columns"), rows = arrayMember(j, "rows");
    for (const auto& c : *columns) {
        if (!isString(c) || !columnName(c.extract<std::string>()) || !seen.insert(c.extract<std::string>()).second)
            throw Damaged("table " + name + " has a bad column name");
        t.columns.push_back(c.extract<std::string>());
    }
    for (const auto& r : *rows) {
        if (!isArray(r) || r.extract<Array::Ptr>()->size() != t.columns.size())
            throw Damaged("table " + name + " has a row of the wrong width");
        std::vector<Cell> row;
        for (const auto& cell : *r.extract<Array::Ptr>()) row.push_back(cellOf(cell));
        t.rows.push_back(std::move(row));
    }
    return t;
}

File fileOf(const Object& j) {
    std::string path = stringMember(j, "path");
    auto slash = path.find('/');
    bool known = slash != std::string::npos &&
                 std::find(kTlsFolders.begin(), kTlsFolders.end(), path.substr(0, slash)) != kTlsFolders.end();
    if (!known || !safeFileName(path.substr(slash + 1))) throw Damaged("a file outside the TLS folders");
    return {path, unbase64(stringMember(j, "data"), "a file")};
}

// Archives made before migration 0017 keep the recovery codes comma-joined in admin_users.recovery_codes:
// they are moved into a table of their own as the migration moves them, and the column is left empty.
void moveLegacyRecoveryCodes(Archive& a) {
    Table codes{{"user_id", "code_hash"}, {}};
    auto users = a.tables.find("admin_users");
    if (users != a.tables.end()) {
        const auto& columns = users->second.columns;
        auto id = std::find(columns.begin(), columns.end(), "id");
        auto legacy = std::find(columns.begin(), columns.end(), "recovery_codes");
        if (id != columns.end() && legacy != columns.end()) {
            for (auto& row : users->second.rows) {
                Cell& joined = row[size_t(legacy - columns.begin())];
                if (joined.kind != Cell::Kind::Text) continue;
                size_t start = 0;
                while (start < joined.bytes.size()) {
                    size_t end = std::min(joined.bytes.find(',', start), joined.bytes.size());
                    if (end > start)
                        codes.rows.push_back({row[size_t(id - columns.begin())],
                                              Cell{Cell::Kind::Text, 0, joined.bytes.substr(start, end - start)}});
                    start = end + 1;
                }
                joined.bytes.clear();
            }
        }
    }
    a.tables["admin_recovery_codes"] = std::move(codes);
}

// Throws Damaged for anything but an archive of this format; the schema version is the caller's check.
void decode(const std::string& text, Archive& a) {
    Var parsed;
    try {
        Poco::JSON::Parser parser;
        parser.setDepth(kMaxDepth);
        parser.setAllowNullByte(false);
        parsed = parser.parse(text);
    } catch (const Poco::Exception& e) {
        throw Damaged("JSON: " + e.message());
    }
    if (!isObject(parsed)) throw Damaged("not a JSON object");
    const Object& doc = *parsed.extract<Object::Ptr>();
    Var format = member(doc, "format");
    if (!isString(format) || format.extract<std::string>() != kFormat) throw UnknownFormat();
    a.createdAt = stringMember(doc, "createdAt");
    int64_t schema = integerOf(member(doc, "schemaVersion"), "schemaVersion");
    if (schema < 1 || schema > 1000000) throw Damaged("schemaVersion out of range");
    a.schemaVersion = int(schema);
    a.dataKey = unbase64(stringMember(doc, "dataKey"), "dataKey");
    if (a.dataKey.size() != DataKey::kBytes) throw Damaged("dataKey is not " + std::to_string(DataKey::kBytes) + " bytes");
    Object::Ptr tables = objectMember(doc, "tables");
    for (const auto& [name, table] : *tables) {
        bool known = name == kCacheTable || std::find(kRequiredTables.begin(), kRequiredTables.end(), name) != kRequiredTables.end();
        if (!known || !isObject(table) || a.tables.count(name)) throw Damaged("table " + name);
        a.tables[name] = tableOf(*table.extract<Object::Ptr>(), name);
    }
    if (!a.tables.count("admin_recovery_codes")) moveLegacyRecoveryCodes(a);
    for (const auto& name : kRequiredTables)
        if (!a.tables.count(name)) throw Damaged("table " + name + " missing");
    if (doc.has("auditCheckpoint")) {  // not in archives older than the keyed chain
        Var checkpoint = member(doc, "auditCheckpoint");
        if (!isString(checkpoint) || !parseCheckpointLine(checkpoint.extract<std::string>()))
            throw Damaged("auditCheckpoint is not a checkpoint");
        a.auditCheckpoint = checkpoint.extract<std::string>();
    }
    Array::Ptr files = arrayMember(doc, "files");
    for (const auto& f : *files) {
        if (!isObject(f)) throw Damaged("a file entry is not an object");
        a.files.push_back(fileOf(*f.extract<Object::Ptr>()));
    }
}

int knownSchemaVersion() { return migrations().empty() ? 0 : migrations().back().version; }

// As decode, with the staff's message: InvalidField, Japanese first.
void decodeChecked(const std::string& text, Archive& a) {
    using model::ErrorId;
    using model::KakehashiError;
    try {
        decode(text, a);
    } catch (const UnknownFormat&) {
        throw KakehashiError(ErrorId::InvalidField,
                             "Kakehashiのバックアップではないか、この版では読めない形式です（not a Kakehashi backup of a known format）");
    } catch (const Damaged& e) {
        throw KakehashiError(ErrorId::InvalidField,
                             std::string("バックアップの内容が壊れています（damaged backup: ") + e.what() + "）");
    }
    if (a.schemaVersion > knownSchemaVersion())
        throw KakehashiError(ErrorId::InvalidField,
                             "新しい版のKakehashiで作られたバックアップです。ファームウェアを更新してから復元してください"
                             "（made by a newer version: update the firmware first）");
}

// --- applying an archive -------------------------------------------------------------------------------

void bindCell(Statement& st, int i, const Cell& c) {
    switch (c.kind) {
    case Cell::Kind::Null: st.bindNull(i); break;
    case Cell::Kind::Integer: st.bind(i, c.integer); break;
    case Cell::Kind::Text: st.bind(i, c.bytes); break;
    case Cell::Kind::Blob: st.bindBlob(i, c.bytes); break;
    }
}

// Columns the archive lacks (added by a later migration) take their defaults.
void replaceRows(Transaction& tx, const std::string& name, const Table& t) {
    auto target = columnsOf(tx, name);
    std::string list, marks;
    for (const auto& c : t.columns) {
        if (std::none_of(target.begin(), target.end(), [&](const Column& col) { return col.name == c; }))
            throw std::runtime_error("table " + name + " has no column " + c + " in this version");
        list += (list.empty() ? "" : ",") + c;
        marks += marks.empty() ? "?" : ",?";
    }
    tx.exec("DELETE FROM " + name);
    std::string sql = "INSERT INTO " + name + "(" + list + ") VALUES(" + marks + ")";
    for (const auto& row : t.rows) {
        auto st = tx.prepare(sql);
        for (size_t i = 0; i < row.size(); ++i) bindCell(st, int(i) + 1, row[i]);
        st.run();
    }
}

// An archive made before tokens expired brings clients without expires_at: like the upgrade (migration
// 0012), they get the default year from now, never "never".
void expireUndatedTokens(Transaction& tx, const Archive& a) {
    const auto& columns = a.tables.at("api_clients").columns;
    if (std::find(columns.begin(), columns.end(), "expires_at") != columns.end()) return;
    tx.prepare("UPDATE api_clients SET expires_at = ? WHERE expires_at IS NULL")
        .bind(1, nowSeconds() + int64_t(ApiClients::kDefaultValidDays) * 86400)
        .run();
}

// Rows sealed or indexed with the box's old key could never be opened again: every table the archive
// does not bring is emptied, but for the schema's record and the audit trail. Returns the rows removed.
int64_t discardOldKeyData(Transaction& tx, const Archive& a) {
    std::vector<std::string> tables;
    {
        auto st = tx.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
        while (st.step()) tables.push_back(st.text(0));
    }
    int64_t removed = 0;
    for (const auto& t : tables) {
        if (kKeptTables.count(t) || a.tables.count(t)) continue;
        tx.exec("DELETE FROM " + t);
        removed += tx.changes();
    }
    return removed;
}

// One transaction for the rows; the key is replaced inside it, so a failure either way leaves both old.
// Sealed keys: the new key is left raw in the key folder, and the root helper seals it at the next start.
int64_t replaceStoreContents(Store& store, const Archive& a, const std::string& keyDir, bool newKey) {
    struct Wiped {
        std::string bytes;
        ~Wiped() { crypto::secureZero(bytes); }
    } oldKey{DataKey::currentBytes(keyDir).value_or("")};
    Transaction tx(store.db());
    tx.exec("PRAGMA defer_foreign_keys = ON");  // parents and children are emptied in the same transaction
    tx.exec("DELETE FROM admin_sessions");       // nobody stays signed in across a restore
    tx.exec("DELETE FROM admin_setup_code");     // a new one is issued at start if the archive has no user
    int64_t discarded = newKey ? discardOldKeyData(tx, a) : 0;
    for (const auto& [name, table] : a.tables) replaceRows(tx, name, table);
    expireUndatedTokens(tx, a);
    if (newKey) DataKey::replace(keyDir, a.dataKey);
    try {
        tx.commit();
    } catch (...) {
        if (newKey) DataKey::undoReplace(keyDir, oldKey.bytes);
        throw;
    }
    return discarded;
}

// Each TLS folder the archive brings gets exactly the archive's files.
void writeTlsFiles(const Archive& a, const std::string& stateDir) {
    for (const auto& folder : kTlsFolders) {
        std::string dir = stateDir + "/" + folder, prefix = folder + "/";
        std::set<std::string> names;
        for (const auto& f : a.files) {
            if (f.path.rfind(prefix, 0) != 0) continue;
            if (names.empty() && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
                throw std::runtime_error("cannot create " + dir);
            base::writeFileDurably(stateDir + "/" + f.path, f.bytes, 0600);
            names.insert(f.path.substr(prefix.size()));
        }
        if (names.empty()) continue;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            std::string name = entry.path().filename().string();
            if (entry.is_regular_file() && safeFileName(name) && !names.count(name)) ::unlink(entry.path().c_str());
        }
        base::syncFolder(dir);
    }
}

}  // namespace

std::string restorePendingPath(const std::string& stateDir) { return stateDir + kPendingFile; }

CollectedBackup collectBackup(Store& store, const std::string& keyDir, const std::string& stateDir, bool includeCache) {
    CollectedBackup out;
    std::string& doc = out.archive;
    out.summary.createdAt = model::japanIso8601(std::chrono::system_clock::now());
    doc = "{\"format\":";
    base::appendJsonString(doc, kFormat);
    doc += ",\"createdAt\":";
    base::appendJsonString(doc, out.summary.createdAt);
    doc += ",\"schemaVersion\":" + std::to_string(store.db().schemaVersion()) + ",\"dataKey\":";
    appendSecret(doc, dataKeyBytes(store, keyDir));
    doc += ",\"tables\":{";
    appendTables(doc, store.db(), includeCache, out.summary);
    if (auto checkpoint = newestAuditCheckpoint(store.db())) {
        out.summary.auditCheckpoint = checkpointLine(*checkpoint);
        doc += "},\"auditCheckpoint\":";
        base::appendJsonString(doc, out.summary.auditCheckpoint);
        doc += ",\"files\":[";
    } else {
        doc += "},\"files\":[";
    }
    auto files = tlsFiles(stateDir);
    for (size_t i = 0; i < files.size(); ++i) {
        doc += i ? ",{\"path\":" : "{\"path\":";
        base::appendJsonString(doc, files[i].path);
        doc += ",\"data\":";
        appendSecret(doc, std::move(files[i].bytes));  // private keys among them
        doc += '}';
    }
    doc += "]}";
    return out;
}

BackupSummary checkBackup(const std::string& archive, const std::string& keyDir) {
    Archive a;
    decodeChecked(archive, a);
    return summarise(a, keyDir);
}

BackupSummary stageRestore(const std::string& archive, const std::string& stateDir, const std::string& keyDir) {
    BackupSummary summary = checkBackup(archive, keyDir);
    ::mkdir(stateDir.c_str(), 0700);
    base::writeFileDurably(restorePendingPath(stateDir), archive, 0600);
    log::info("backup.restore_staged", {{"users", std::to_string(summary.users)},
                                        {"replacesDataKey", summary.replacesDataKey ? "yes" : "no"}});
    return summary;
}

std::optional<BackupSummary> applyStagedRestore(const std::string& databasePath, const std::string& keyDir,
                                                const std::string& stateDir) {
    std::string path = restorePendingPath(stateDir);
    auto text = base::tryReadFile(path);
    if (!text) return std::nullopt;
    try {
        Archive a;
        decodeChecked(*text, a);
        crypto::secureZero(*text);
        Store store(databasePath, keyDir);  // opened as usual: the schema is migrated before rows go in
        BackupSummary summary = summarise(a, keyDir);
        int64_t discarded = replaceStoreContents(store, a, keyDir, summary.replacesDataKey);
        writeTlsFiles(a, stateDir);
        if (::unlink(path.c_str()) != 0) throw std::runtime_error("cannot remove " + path);
        base::syncFolder(stateDir);
        log::info("backup.restored", {{"users", std::to_string(summary.users)},
                                      {"settings", std::to_string(summary.settings)},
                                      {"apiClients", std::to_string(summary.apiClients)},
                                      {"cacheEntries", std::to_string(summary.cacheEntries)},
                                      {"replacedDataKey", summary.replacesDataKey ? "yes" : "no"},
                                      {"discardedRows", std::to_string(discarded)}});
        return summary;
    } catch (const std::exception& e) {
        crypto::secureZero(*text);
        throw std::runtime_error("the staged restore " + path + " was not applied: " + e.what() +
                                 " (it stays staged and is tried again at the next start; remove it to start without it)");
    }
}

}  // namespace kh::store
