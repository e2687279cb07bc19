-- 0003: settings IT staff change at run time (the boot file holds only what the box needs to start).
-- Every change is kept with who made it and when.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL
);

CREATE TABLE settings_history (
    id         INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    changed_at INTEGER NOT NULL,
    changed_by TEXT    NOT NULL
);
CREATE INDEX settings_history_key ON settings_history(key, id);
