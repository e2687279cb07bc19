-- 0010: a request file that can never be answered (a name no result file can carry, something in the
-- way in res/) is marked failed, with why, instead of being tried again on every scan. The table is
-- rebuilt because SQLite cannot change a CHECK constraint in place.

CREATE TABLE inbound_files_new (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    encoding      TEXT    NOT NULL,          -- utf-8 | shift_jis | bytes
    state         TEXT    NOT NULL CHECK (state IN ('accepted', 'waiting', 'answered', 'failed')),
    ticket        INTEGER,                   -- outbound_queue.id while waiting
    received_at   INTEGER NOT NULL,
    answered_at   INTEGER,                   -- answered or failed
    body_sealed   BLOB,                      -- NULL once the retention period for patient data has passed
    channel       TEXT    NOT NULL DEFAULT 'spec',
    tickets       TEXT    NOT NULL DEFAULT '',
    error         TEXT,                      -- why it failed; never patient data
    UNIQUE (name, sha256)
);
INSERT INTO inbound_files_new(id, name, sha256, kind, encoding, state, ticket, received_at, answered_at, body_sealed,
                              channel, tickets)
    SELECT id, name, sha256, kind, encoding, state, ticket, received_at, answered_at, body_sealed, channel, tickets
    FROM inbound_files;
DROP TABLE inbound_files;
ALTER TABLE inbound_files_new RENAME TO inbound_files;
CREATE INDEX inbound_open ON inbound_files(state);
CREATE INDEX inbound_channel ON inbound_files(channel, state);
CREATE INDEX inbound_answered ON inbound_files(answered_at);
