-- 0004: 照会番号 (reference numbers) registered with the central system, one row per insured person
-- (blind index of insurer number, symbol, number, branch). A row is pending while its outbound item
-- (ticket) is unanswered, then registered or refused with the central system's result code.
CREATE TABLE reference_numbers (
    id                 INTEGER PRIMARY KEY,
    identity_index     BLOB    NOT NULL,
    reference_number   TEXT    NOT NULL,
    state              TEXT    NOT NULL CHECK (state IN ('pending', 'registered', 'refused')),
    result_code        TEXT    NOT NULL DEFAULT '',
    result_message     TEXT    NOT NULL DEFAULT '',
    ticket             INTEGER REFERENCES outbound_queue(id),
    identifiers_sealed BLOB    NOT NULL,
    requested_at       INTEGER NOT NULL,
    registered_at      INTEGER,                 -- when the central system last confirmed it
    UNIQUE (identity_index)
);
CREATE INDEX reference_numbers_pending ON reference_numbers(state, ticket);
