-- 0009: web-admin accounts — users with roles, scrypt password hashes, a TOTP second factor and one-time
-- recovery codes; their sessions; and the one-time setup code that lets the first administrator in.
-- Secrets are never stored in clear: passwords and codes as hashes, TOTP secrets sealed with the data key.
CREATE TABLE admin_users (
    id                  INTEGER PRIMARY KEY,
    username            TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    display_name        TEXT    NOT NULL DEFAULT '',
    role                TEXT    NOT NULL CHECK (role IN ('administrator', 'operator', 'auditor')),
    password_hash       TEXT    NOT NULL,             -- scrypt$<log2 N>$<r>$<p>$<salt>$<key>
    totp_secret_sealed  BLOB,                         -- NULL while TOTP is not enabled
    totp_pending_sealed BLOB,                         -- a secret being enrolled, until its first code
    totp_last_step      INTEGER NOT NULL DEFAULT 0,   -- a code's step must be later (no replay)
    recovery_codes      TEXT    NOT NULL DEFAULT '',  -- comma-separated keyed hashes, each used once
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until        INTEGER NOT NULL DEFAULT 0,   -- unix seconds
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    created_by          TEXT    NOT NULL,
    password_changed_at INTEGER NOT NULL
);

-- A session is found by the SHA-256 of its token; the token itself lives only in the browser's cookie.
CREATE TABLE admin_sessions (
    token_hash     TEXT    PRIMARY KEY,               -- hex SHA-256 of the token
    user_id        INTEGER NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
    csrf_token     TEXT    NOT NULL,
    totp_passed    INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,                  -- absolute end, whatever the activity
    remote_address TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX admin_sessions_user ON admin_sessions(user_id);

-- At most one setup code, kept as a keyed hash while no administrator exists; wrong tries are counted.
CREATE TABLE admin_setup_code (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    code_hash   BLOB    NOT NULL,
    issued_at   INTEGER NOT NULL,
    wrong_tries INTEGER NOT NULL DEFAULT 0
);
