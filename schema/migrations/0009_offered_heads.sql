-- What the county server last sent a device of a shard (its heads then). A device's reported
-- heads are recorded only when the server can verify them: its own changes, or changes within
-- what it was sent or reported before (a replayed request under another token verifies nothing).
ALTER TABLE peer_heads ADD COLUMN offered TEXT NOT NULL DEFAULT '';
