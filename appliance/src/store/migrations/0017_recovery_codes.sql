-- 0017: the second factor's recovery codes get a table of their own, one row per unused code, instead of
-- a comma-joined column: using one is deleting its row. The codes of existing accounts are moved here;
-- admin_users.recovery_codes is no longer used and left empty; it stays so that backups made by earlier
-- releases still restore (their codes are moved the same way when such a backup is restored).
CREATE TABLE admin_recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES admin_users(id),
    code_hash  TEXT    NOT NULL,  -- keyed hash of the canonical code, bound to the user (store/users.cpp)
    PRIMARY KEY (user_id, code_hash)
);

WITH RECURSIVE split(user_id, code_hash, rest) AS (
    SELECT id, '', recovery_codes || ',' FROM admin_users WHERE recovery_codes <> ''
    UNION ALL
    SELECT user_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO admin_recovery_codes(user_id, code_hash)
SELECT user_id, code_hash FROM split WHERE code_hash <> '';

UPDATE admin_users SET recovery_codes = '' WHERE recovery_codes <> '';
