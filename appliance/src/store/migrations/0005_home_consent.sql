-- 0005: 居宅同意取得型 — consented patients from the central system's consent lists, and medical
-- information fetched under a consent, kept only while that consent is in force.
CREATE TABLE consented_patients (
    identity_index   BLOB    NOT NULL,   -- blind index: insurer, symbol, number, branch, birth date
    treatment        TEXT    NOT NULL,   -- MedicalTreatmentFlag: 2 訪問診療等 | 3 オンライン診療等
    examination_date TEXT    NOT NULL,   -- YYYYMMDD, the consultation day the patient saw
    available_until  INTEGER NOT NULL,   -- unix seconds: the latest AvailableTime of its scopes
    consented_at     INTEGER NOT NULL,   -- unix seconds: the earliest ConsTime
    withdrawn_at     INTEGER,            -- set when a withdrawal arrives
    fetched_at       INTEGER NOT NULL,
    unit_sealed      BLOB    NOT NULL,   -- the qualification and consent block, serialised
    PRIMARY KEY (identity_index, treatment)
);

CREATE TABLE medical_info_cache (
    identity_index  BLOB    NOT NULL,
    scope           TEXT    NOT NULL,    -- medication | clinical | checkup
    file_category   INTEGER NOT NULL,    -- 1 PDF, 2 XML
    content_type    TEXT    NOT NULL,
    fetched_at      INTEGER NOT NULL,
    available_until INTEGER NOT NULL,    -- purged after this (the consent window's end)
    body_sealed     BLOB    NOT NULL,
    PRIMARY KEY (identity_index, scope, file_category)
);
