-- The county's duplicate decisions (records `duplicate/<id>` of the county document), and the
-- projection rows they re-point: a record about an elder merged into another is projected under
-- the kept elder's id, and `elder_aliases` remembers the id the record itself names so that an
-- undone merge restores it. Both tables are projection: `rebuild` recomputes them.

CREATE TABLE duplicate_decisions (
    id         TEXT PRIMARY KEY,
    shard      TEXT NOT NULL,
    verdict    TEXT NOT NULL,      -- merge | distinct
    kept_id    TEXT NOT NULL,
    merged_id  TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    voided     INTEGER NOT NULL,   -- 1 once undone
    body       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX duplicate_decisions_by_merged ON duplicate_decisions (merged_id, verdict, voided);
CREATE INDEX duplicate_decisions_by_kept ON duplicate_decisions (kept_id);

-- A projected row (of `table_name`) whose `elder_id` column holds the kept elder instead of the
-- elder its record names (`recorded_elder_id`). An elder merged into another is projected with
-- `voided = 1`, so lists and counts show the pair as the one kept.
CREATE TABLE elder_aliases (
    table_name        TEXT NOT NULL,
    row_id            TEXT NOT NULL,
    recorded_elder_id TEXT NOT NULL,
    PRIMARY KEY (table_name, row_id)
) WITHOUT ROWID;
CREATE INDEX elder_aliases_by_recorded ON elder_aliases (recorded_elder_id);
