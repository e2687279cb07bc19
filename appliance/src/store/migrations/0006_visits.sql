-- 0006: planned visits (訪問診療・オンライン診療・オンライン服薬指導) and the batches made from them.
CREATE TABLE visits (
    id             INTEGER PRIMARY KEY,
    identity_index BLOB    NOT NULL,
    visit_date     TEXT    NOT NULL,     -- YYYYMMDD, Japan time
    kind           TEXT    NOT NULL,     -- online-consultation | online-medication-guidance | home-visit
    inquiry_sealed BLOB    NOT NULL,     -- the insured identifiers and the clinic's own patient id
    created_at     INTEGER NOT NULL,
    UNIQUE (identity_index, visit_date, kind)
);
CREATE INDEX visits_date ON visits(visit_date);

CREATE TABLE visit_batches (
    visit_date       TEXT    NOT NULL,
    purpose          TEXT    NOT NULL,   -- prefetch (the evening before) | morning (refresh on the day)
    reception_number TEXT    NOT NULL,
    submitted_at     INTEGER NOT NULL,
    delivered_at     INTEGER,            -- answers cached and the result file written
    PRIMARY KEY (visit_date, purpose)
);
