-- 0008: the audit log — every view of patient data and every card check, with who did it. Each row
-- carries the hash of the row before it, so a changed or deleted row breaks the chain.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,   -- unix seconds
    actor     TEXT    NOT NULL,   -- API client or staff member
    action    TEXT    NOT NULL,   -- e.g. card-check.verified, card-check.viewed
    subject   TEXT    NOT NULL,   -- ids only (card-check id), never identifiers or names
    detail    TEXT    NOT NULL,   -- method, outcome, reader — never patient data or PINs
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL    -- hex SHA-256 of prev_hash and the fields above
);
