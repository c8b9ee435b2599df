-- What the county's device list shows beyond the last contact: when the server last answered a
-- device in full (a refusal is a contact, not a sync), how many shards of edits it said were
-- waiting to go up, the last refusal it got, and who has signed in on it.
ALTER TABLE device_grants ADD COLUMN last_sync_at TEXT;
UPDATE device_grants SET last_sync_at = last_contact_at;
ALTER TABLE device_grants ADD COLUMN shards_waiting INTEGER;
ALTER TABLE device_grants ADD COLUMN last_error TEXT;
ALTER TABLE device_grants ADD COLUMN last_error_at TEXT;

CREATE TABLE device_users (
    device_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    PRIMARY KEY (device_id, user_id)
) WITHOUT ROWID;
