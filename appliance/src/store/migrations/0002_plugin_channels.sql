-- 0002: vendor adapter channels — inbound messages carry their channel and, for multi-entry vendor
-- messages, one outbound ticket per entry; messages a plugin could not handle go to the dead letters.

ALTER TABLE inbound_files ADD COLUMN channel TEXT NOT NULL DEFAULT 'spec';  -- spec | plugin:<id>
ALTER TABLE inbound_files ADD COLUMN tickets TEXT NOT NULL DEFAULT '';      -- comma-separated, per entry
CREATE INDEX inbound_channel ON inbound_files(channel, state);

CREATE TABLE dead_letters (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    channel     TEXT    NOT NULL,        -- plugin:<id>
    name        TEXT    NOT NULL,        -- the message's name (file name or route)
    error_code  TEXT    NOT NULL,        -- from the shared error table
    error       TEXT    NOT NULL,        -- what went wrong; never patient data
    body_sealed BLOB    NOT NULL,        -- the message itself, for reprocessing
    reprocessed_at INTEGER
);
