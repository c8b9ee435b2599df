-- Home adaptation (一户一档): a case's events (the township's in the case shard, the county's in
-- the township's review shard), ability assessments (kept on the elder, in the village's elder
-- shard), and which records refer to which attachment (visit photos and case attachments), so
-- that attachments travel with the records that use them. All of it is projection: `rebuild`
-- refills these tables from the documents.

-- The case's step is derived from its events (replayed in id order), never stored in the
-- document; the projection keeps the result here whenever the case or one of its events changes.
ALTER TABLE adaptation_cases ADD COLUMN township_code TEXT NOT NULL DEFAULT '';
ALTER TABLE adaptation_cases ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE adaptation_cases ADD COLUMN step_since TEXT NOT NULL DEFAULT '';
CREATE INDEX adaptation_by_township ON adaptation_cases (township_code, step);
CREATE INDEX adaptation_by_elder ON adaptation_cases (elder_id);

CREATE TABLE case_events (
    id       TEXT PRIMARY KEY,
    shard    TEXT NOT NULL,
    case_id  TEXT NOT NULL,
    step     TEXT NOT NULL,
    outcome  TEXT NOT NULL,
    by_user  TEXT NOT NULL,
    at       TEXT NOT NULL,
    voided   INTEGER NOT NULL,
    body     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX case_events_by_case ON case_events (case_id, id);

CREATE TABLE assessments (
    id          TEXT PRIMARY KEY,
    shard       TEXT NOT NULL,
    elder_id    TEXT NOT NULL,
    assessed_on TEXT NOT NULL,
    standard    TEXT NOT NULL,
    total       INTEGER,          -- NULL for a legacy record that is not scored
    final_level TEXT,
    voided      INTEGER NOT NULL,
    body        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX assessments_by_elder ON assessments (elder_id, assessed_on);

CREATE TABLE attachment_refs (
    sha256     TEXT NOT NULL,
    shard      TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    place_code TEXT NOT NULL,     -- the village of the record, for the server's scope check
    PRIMARY KEY (sha256, shard, record_id)
) WITHOUT ROWID;
CREATE INDEX attachment_refs_by_record ON attachment_refs (shard, record_id);

-- Visit photos already projected.
INSERT OR IGNORE INTO attachment_refs (sha256, shard, record_id, place_code)
SELECT photo.key, visits.shard, visits.id, visits.village_code
FROM visits, json_each(visits.body, '$.photos') AS photo;
