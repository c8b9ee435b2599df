-- Meal service: points and their diners live in the township's shard, meals and the month's
-- settlement and adjustments in the point's month shard, the county's reviews in the township's
-- review shard. All of it is projection: `rebuild` refills these tables from the documents.

ALTER TABLE meals ADD COLUMN price INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meals ADD COLUMN delivery_fee INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meals ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX meals_by_date ON meals (date);
-- The settlement and its checks read a point's month and its elders' meals around it: both
-- indexes cover those queries, so thousands of meals never touch the table itself.
DROP INDEX meals_by_point;
CREATE INDEX meals_by_point ON meals (point_id, date, voided, elder_id, slot, mode, proxy, subsidy, self_paid);
DROP INDEX meals_by_elder;
CREATE INDEX meals_by_elder ON meals (elder_id, date, slot, voided, point_id, subsidy);

CREATE TABLE diners (
    id          TEXT PRIMARY KEY,
    shard       TEXT NOT NULL,
    point_id    TEXT NOT NULL,
    elder_id    TEXT NOT NULL,
    enrolled_on TEXT NOT NULL,
    left_on     TEXT,
    voided      INTEGER NOT NULL,
    body        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX diners_by_point ON diners (point_id, elder_id);
CREATE INDEX diners_by_elder ON diners (elder_id);

-- A station's submission of a point's month.
CREATE TABLE meal_submissions (
    point_id     TEXT NOT NULL,
    month        TEXT NOT NULL,
    shard        TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    voided       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (point_id, month)
) WITHOUT ROWID;

-- The county's decision on it.
CREATE TABLE meal_reviews (
    point_id     TEXT NOT NULL,
    month        TEXT NOT NULL,
    shard        TEXT NOT NULL,
    decision      TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    voided       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (point_id, month)
) WITHOUT ROWID;

CREATE TABLE meal_adjustments (
    id              TEXT PRIMARY KEY,
    shard           TEXT NOT NULL,
    point_id        TEXT NOT NULL,
    month           TEXT NOT NULL,
    from_month      TEXT NOT NULL,
    elder_id        TEXT NOT NULL,
    subsidy_delta   INTEGER NOT NULL,
    self_paid_delta INTEGER NOT NULL,
    voided          INTEGER NOT NULL,
    body            TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX meal_adjustments_by_point ON meal_adjustments (point_id, month);
