// The box's backup archive and its restore. The archive is one JSON document: the data key, the rows of
// the configuration tables (settings and their history, web-admin users, API clients; the eligibility
// cache when asked) with BLOB cells as base64, the TLS files of the state folder, and the audit log's
// newest checkpoint (a witness of the audit chain kept off the box; the audit log itself and its key stay
// on the box, and a restore keeps the box's own). It carries the
// data key in clear: it leaves the box only sealed with a passphrase (crypto/passphrase_box.hpp).
// A restore is staged as a file in the state folder and applied at the next start, before anything
// else opens the store, in one transaction — so the rows sealed with the key arrive with the key.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "store/store.hpp"

namespace kh::store {

// What an archive holds, counted, and when it was made.
struct BackupSummary {
    std::string createdAt;  // ISO-8601, Japan time
    int64_t users = 0, settings = 0, apiClients = 0, cacheEntries = 0;
    // The archive's data key is not the box's: the box's own patient data (journal, queue, consents,
    // cache…) could not be opened after the restore, so the restore removes it.
    bool replacesDataKey = false;
    // The box's newest audit checkpoint when the archive was made, as the anchor file holds it ("" in
    // archives made before the keyed audit chain).
    std::string auditCheckpoint;
};

struct CollectedBackup {
    std::string archive;  // holds the data key: seal it, then zero it
    BackupSummary summary;
};

// The archive of the box as it is now. `keyDir` and `stateDir` are the configuration's; throws
// std::runtime_error when the key file there is not the key the store is open with.
CollectedBackup collectBackup(Store& store, const std::string& keyDir, const std::string& stateDir, bool includeCache);

// What an archive holds, after checking that it is a Kakehashi backup of a format this version knows and
// of a schema no newer than this version's. Throws model::KakehashiError(InvalidField) naming the problem
// (Japanese first). `replacesDataKey` compares with the key in `keyDir`.
BackupSummary checkBackup(const std::string& archive, const std::string& keyDir);

// Checks the archive, then writes it to <stateDir>/restore-pending.json (0600, durably) for the next start.
BackupSummary stageRestore(const std::string& archive, const std::string& stateDir, const std::string& keyDir);

std::string restorePendingPath(const std::string& stateDir);

// At start, before anything else opens the store: when a restore is staged, the store is opened (and so
// migrated), and in one transaction web-admin sessions end and the archive's tables get the archive's
// rows (the box's own patient data is removed too when the data key changes); the data key is written
// before that transaction commits; then the TLS files; then the staged file is removed. nullopt when
// nothing is staged. When the keys are sealed (DataKey::replaceTakesRestart) a new data key is written
// raw for the root helper to seal: the caller must start again before the store is opened for use. Throws std::runtime_error when the restore cannot be applied: the staged file is
// kept and the box is as it was.
std::optional<BackupSummary> applyStagedRestore(const std::string& databasePath, const std::string& keyDir,
                                                const std::string& stateDir);

}  // namespace kh::store
