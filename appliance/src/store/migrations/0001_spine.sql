-- 0001: the spine — journal, eligibility cache, outbound queue, file-channel requests, batches, API clients.
-- Columns named *_sealed hold AES-256-GCM payloads; *_index columns hold HMAC-SHA256 blind indexes.

-- Every message in and out, written before it is acknowledged.
CREATE TABLE journal (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,          -- unix seconds
    direction     TEXT    NOT NULL CHECK (direction IN ('in', 'out', 'exchange')),
    channel       TEXT    NOT NULL,          -- file | http | upstream
    kind          TEXT    NOT NULL,          -- message kind, e.g. OQSsiquc01req
    correlation   TEXT    NOT NULL,          -- file name, request id or reception number
    payload_sealed BLOB
);
CREATE INDEX journal_at ON journal(at);

-- 資格情報 cache: one row per insured identity, keyed by the blind index.
CREATE TABLE eligibility_cache (
    identity_index BLOB PRIMARY KEY,
    confirmed_at   INTEGER NOT NULL,
    result_sealed  BLOB    NOT NULL
);

-- Requests to the central system, in order. request_id is made and stored before the first send,
-- so a resend after a crash carries the same id and the central side does not act twice.
CREATE TABLE outbound_queue (
    id              INTEGER PRIMARY KEY,
    request_id      TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,        -- inquiry | batch-upload
    owner           TEXT    NOT NULL,        -- who waits for the answer
    body_sealed     BLOB    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    http_status     INTEGER,
    error           TEXT,                    -- never patient data
    response_sealed BLOB
);
CREATE INDEX outbound_pending ON outbound_queue(state, id);

-- Files taken from req/: each (name, content) once; state drives answering after a restart.
CREATE TABLE inbound_files (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    encoding      TEXT    NOT NULL,          -- utf-8 | shift_jis
    state         TEXT    NOT NULL CHECK (state IN ('accepted', 'waiting', 'answered')),
    ticket        INTEGER,                   -- outbound_queue.id while waiting
    received_at   INTEGER NOT NULL,
    answered_at   INTEGER,
    body_sealed   BLOB    NOT NULL,
    UNIQUE (name, sha256)
);
CREATE INDEX inbound_open ON inbound_files(state);

-- 一括照会: the appliance's own reception number, answered entry by entry.
CREATE TABLE batches (
    id               INTEGER PRIMARY KEY,
    reception_number TEXT    NOT NULL UNIQUE,
    origin           TEXT    NOT NULL UNIQUE, -- file:<inbound id> | http:<client>:<key>
    institution_code TEXT    NOT NULL,
    file_identifier  TEXT    NOT NULL DEFAULT '',
    state            TEXT    NOT NULL CHECK (state IN ('processing', 'done')),
    entry_count      INTEGER NOT NULL,
    received_at      INTEGER NOT NULL,
    completed_at     INTEGER
);

-- A batch goes upstream in chunks; each chunk is one upload and then polls until its result is ready.
CREATE TABLE batch_chunks (
    batch_id           INTEGER NOT NULL REFERENCES batches(id),
    chunk_no           INTEGER NOT NULL,
    entry_count        INTEGER NOT NULL,
    upload_ticket      INTEGER REFERENCES outbound_queue(id),
    upstream_reception TEXT,
    state              TEXT    NOT NULL CHECK (state IN ('uploading', 'polling', 'done')),
    next_poll_at       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (batch_id, chunk_no)
);
CREATE INDEX batch_chunks_state ON batch_chunks(state, next_poll_at);

CREATE TABLE batch_entries (
    batch_id       INTEGER NOT NULL REFERENCES batches(id),
    entry_no       INTEGER NOT NULL,
    chunk_no       INTEGER,                   -- NULL when answered locally (invalid entry)
    inquiry_sealed BLOB    NOT NULL,
    result_sealed  BLOB,                      -- NULL until answered
    PRIMARY KEY (batch_id, entry_no)
);

-- Receipt computers that use the HTTP API; tokens are stored as SHA-256 only.
CREATE TABLE api_clients (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    token_hash  BLOB NOT NULL UNIQUE,
    allow_cidrs TEXT NOT NULL DEFAULT '',     -- comma-separated; empty = any LAN address
    created_at  INTEGER NOT NULL
);
