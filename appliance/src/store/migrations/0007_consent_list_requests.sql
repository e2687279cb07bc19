-- 0007: consent-list requests from receipt computers (OQSmuhvq / OQSmuonq, phase 01): the filter kept
-- under the appliance's reception number, answered from the consent cache in phase 02.
CREATE TABLE consent_list_requests (
    id                INTEGER PRIMARY KEY,
    treatment         TEXT NOT NULL,
    consent_from      TEXT NOT NULL DEFAULT '',
    consent_to        TEXT NOT NULL DEFAULT '',
    examination_from  TEXT NOT NULL DEFAULT '',
    examination_to    TEXT NOT NULL DEFAULT '',
    file_identifier   TEXT NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL
);
