-- Who viewed whose full data (records `access/<id>` of the visit shards): append-only, never
-- voided. Projection: `rebuild` recomputes it.

CREATE TABLE access_log (
    id           TEXT PRIMARY KEY,
    shard        TEXT NOT NULL,
    elder_id     TEXT NOT NULL,
    village_code TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    at           TEXT NOT NULL,      -- YYYY-MM-DDTHH:MM:SS
    kind         TEXT NOT NULL,      -- id_number | full_record | export_with_id_number
    reason       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX access_log_by_at ON access_log (at);
CREATE INDEX access_log_by_elder ON access_log (elder_id, at);
CREATE INDEX access_log_by_user ON access_log (user_id, at);
CREATE INDEX access_log_by_shard ON access_log (shard);
