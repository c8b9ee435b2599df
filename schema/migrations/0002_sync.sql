-- Sync with the county server. Every replica counts its shard changes (the county serves that
-- counter to devices as their cursor); a device remembers, per shard, what the server has.

-- The replica-wide change counter's value when the shard last changed.
ALTER TABLE shards ADD COLUMN changed_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX shards_by_changed_seq ON shards (changed_seq);
INSERT INTO replica (key, value) VALUES ('changed_seq', '0');

-- Device side: the server's heads of a shard as last heard, and whether the device still has to
-- tell the server the heads it reached after taking the server's changes.
CREATE TABLE sync_shards (
    shard        TEXT PRIMARY KEY,
    server_heads TEXT NOT NULL,   -- hex change hashes, comma separated
    report       INTEGER NOT NULL
) WITHOUT ROWID;

-- Server side -------------------------------------------------------------------------------

-- One-time enrollment codes, kept only as SHA-256 of the code.
CREATE TABLE enrollment_codes (
    code_hash  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by    TEXT               -- the device that redeemed it
) WITHOUT ROWID;

-- Enrolled devices and their tokens (SHA-256 of the token).
CREATE TABLE device_grants (
    device_id   TEXT PRIMARY KEY,  -- hex automerge actor id
    user_id     TEXT NOT NULL,
    label       TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT
) WITHOUT ROWID;

-- What each device is known to hold of a shard: the heads it last reported.
CREATE TABLE peer_heads (
    device_id TEXT NOT NULL,
    shard     TEXT NOT NULL,
    heads     TEXT NOT NULL,
    PRIMARY KEY (device_id, shard)
) WITHOUT ROWID;
