-- 0011: the audit log's checkpoints. From this version each audit row's hash is an HMAC-SHA256 with the
-- audit key (kept in the key folder, never in the database), and checkpoints anchor the chain: the last
-- row, its chain value and the number of rows so far, authenticated with the same key. The newest one is
-- also written to the log and to an anchor file in the state folder, so truncating the table, or the
-- table and its checkpoints together, does not go unnoticed (store/audit_log.hpp). Existing rows, chained
-- with plain SHA-256, are sealed into the keyed chain once at the next start.
CREATE TABLE audit_checkpoints (
    id             INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,            -- unix seconds
    row_id         INTEGER NOT NULL,            -- the last audit row covered (0: none yet)
    row_count      INTEGER NOT NULL,            -- rows appended up to row_id, pruned ones included
    chain          TEXT    NOT NULL,            -- that row's hash (64 zeros for none)
    pruned_through INTEGER NOT NULL DEFAULT 0,  -- rows up to this id were removed by retention
    tag            TEXT    NOT NULL             -- hex HMAC-SHA256 of the fields above with the audit key
);
