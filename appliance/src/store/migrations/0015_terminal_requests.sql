-- 0015: request files written to the facility's 資格確認端末 (upstream profile "terminal"). A row is made
-- before the file is put into the terminal's req/ folder, so that after a restart the gateway knows it wrote
-- that name (and never writes it again) even when the terminal has already taken the file. The row goes
-- once the answer is consumed and the queued call that waited for it is finished.
CREATE TABLE terminal_requests (
    request_id  TEXT    PRIMARY KEY,
    file_name   TEXT    NOT NULL,
    written_at  INTEGER NOT NULL
);
