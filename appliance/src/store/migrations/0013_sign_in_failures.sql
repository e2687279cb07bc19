-- 0013: failed sign-ins are counted per user name and client address, so failures from one machine lock
-- the name for that machine only. The name is kept as a keyed hash (a mistyped name may be a password),
-- and unknown names are counted like real ones. admin_users.failed_attempts and locked_until are no longer
-- used; they stay so that backups made by earlier releases still restore.
CREATE TABLE admin_sign_in_failures (
    name_key        BLOB    NOT NULL,             -- keyed hash of the lower-case user name as typed
    address         TEXT    NOT NULL,             -- the client's IPv4 address, or its IPv6 /64
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,             -- unix seconds
    locked_until    INTEGER NOT NULL DEFAULT 0,   -- unix seconds; 0 while not locked
    PRIMARY KEY (name_key, address)
) WITHOUT ROWID;
CREATE INDEX admin_sign_in_failures_age ON admin_sign_in_failures(last_failure_at);
