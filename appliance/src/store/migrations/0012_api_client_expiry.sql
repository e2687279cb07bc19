-- 0012: API client tokens expire. A token is good for 365 days unless "never" is chosen when it is issued.
-- Tokens issued before this version get the same year from the upgrade on: none of them was chosen to
-- live for ever, and a year leaves time to issue new ones (the expiry shows in `api-client list` and in
-- the web admin).
ALTER TABLE api_clients ADD COLUMN expires_at INTEGER;  -- unix seconds; NULL: never (chosen explicitly)
UPDATE api_clients SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) + 365 * 86400;
