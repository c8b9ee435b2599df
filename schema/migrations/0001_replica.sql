-- The local replica: automerge documents (the truth) and the projection tables (a view).
-- Every projection table can be dropped and recomputed from `chunks` by `rebuild`.

-- This replica: its device (automerge actor) id, the signed-in user, settings.
CREATE TABLE replica (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One automerge document per shard.
CREATE TABLE shards (
    id          TEXT PRIMARY KEY,     -- e.g. elders/360733100201, visits/360733100201/2026-11
    kind        TEXT NOT NULL,        -- elders | visits | meals | adaptation | county
    heads       TEXT NOT NULL,        -- hex change hashes, comma separated, after the last write
    chunk_count INTEGER NOT NULL,
    byte_count  INTEGER NOT NULL
) WITHOUT ROWID;

-- A document is the concatenation of its chunks in order: a snapshot, then incremental saves.
CREATE TABLE chunks (
    shard TEXT NOT NULL REFERENCES shards (id),
    seq   INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (shard, seq)
) WITHOUT ROWID;

-- Projection ---------------------------------------------------------------------------------

CREATE TABLE places (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_code TEXT,
    vintage     INTEGER NOT NULL,
    shard       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX places_by_parent ON places (parent_code);

CREATE TABLE policies (
    version        TEXT PRIMARY KEY,
    county_code    TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    body           TEXT NOT NULL,
    shard          TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    role   TEXT NOT NULL,
    places TEXT NOT NULL,   -- JSON array of place codes
    voided INTEGER NOT NULL,
    shard  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE devices (
    id      TEXT PRIMARY KEY,
    label   TEXT NOT NULL,
    user_id TEXT NOT NULL,
    voided  INTEGER NOT NULL,
    shard   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE meal_points (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    township_code TEXT NOT NULL,
    village_code  TEXT,
    body          TEXT NOT NULL,
    voided        INTEGER NOT NULL,
    shard         TEXT NOT NULL
) WITHOUT ROWID;

-- An elder has one entry per village shard that holds them (a move leaves the old entry
-- marked moved), so the key is (id, shard).
CREATE TABLE elders (
    id              TEXT NOT NULL,
    shard           TEXT NOT NULL,
    name            TEXT NOT NULL,
    name_pinyin     TEXT NOT NULL,
    name_initials   TEXT NOT NULL,
    id_number       TEXT NOT NULL,
    gender          TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    phone           TEXT,
    village_code    TEXT NOT NULL,
    township_code   TEXT NOT NULL,
    economic_status TEXT NOT NULL,
    categories      TEXT NOT NULL,  -- comma separated category codes
    life_state      TEXT NOT NULL,
    life_date       TEXT,
    voided          INTEGER NOT NULL,
    body            TEXT NOT NULL,  -- the whole record as JSON (winning values)
    PRIMARY KEY (id, shard)
) WITHOUT ROWID;
CREATE INDEX elders_by_village ON elders (village_code, name_pinyin);
CREATE INDEX elders_by_township ON elders (township_code, name_pinyin);
CREATE INDEX elders_by_id_number ON elders (id_number);

CREATE TABLE visits (
    id             TEXT PRIMARY KEY,
    shard          TEXT NOT NULL,
    elder_id       TEXT NOT NULL,
    village_code   TEXT NOT NULL,
    visited_at     TEXT NOT NULL,
    mode           TEXT NOT NULL,
    visitor_id     TEXT NOT NULL,
    worst_severity TEXT NOT NULL,
    major_event    INTEGER NOT NULL,
    summary        TEXT NOT NULL,
    voided         INTEGER NOT NULL,
    body           TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX visits_by_elder ON visits (elder_id, visited_at);
CREATE INDEX visits_by_village ON visits (village_code, visited_at);

CREATE TABLE meals (
    id             TEXT PRIMARY KEY,
    shard          TEXT NOT NULL,
    point_id       TEXT NOT NULL,
    elder_id       TEXT NOT NULL,
    date           TEXT NOT NULL,
    slot           TEXT NOT NULL,
    mode           TEXT NOT NULL,
    proxy          TEXT,
    operator_id    TEXT NOT NULL,
    self_paid      INTEGER NOT NULL,
    subsidy        INTEGER NOT NULL,
    policy_version TEXT NOT NULL,
    voided         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX meals_by_point ON meals (point_id, date);
CREATE INDEX meals_by_elder ON meals (elder_id, date, slot);

CREATE TABLE adaptation_cases (
    id           TEXT PRIMARY KEY,
    shard        TEXT NOT NULL,
    elder_id     TEXT NOT NULL,
    village_code TEXT NOT NULL,
    step         TEXT NOT NULL,
    urban        INTEGER NOT NULL,
    voided       INTEGER NOT NULL,
    body         TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX adaptation_by_village ON adaptation_cases (village_code);

-- Fields that devices changed concurrently, with every value, until one is picked.
CREATE TABLE conflicts (
    shard     TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    "values"  TEXT NOT NULL,  -- JSON array of the concurrent values
    PRIMARY KEY (shard, record_id, field)
) WITHOUT ROWID;
CREATE INDEX conflicts_by_record ON conflicts (record_id);
