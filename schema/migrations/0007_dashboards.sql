-- What the county's dashboards read, kept up as records are projected.
--
-- Coverage reads every visit of the county's villages before a month: the index by village now
-- carries the columns it needs, so the rows themselves (with their bodies) are never read.
DROP INDEX visits_by_village;
CREATE INDEX visits_by_village ON visits (village_code, visited_at, elder_id, worst_severity, voided);

-- Each diner's meals and subsidy per meal point and month, over the meals not voided: what the
-- meals dashboard sums (a year of the full county is about 50,000 rows against a million meals).
-- Triggers keep it equal to `meals` through every insert, replace, update and delete, so a
-- write, a removed shard and a merge's re-pointed rows all keep it right (`rebuild` drops the
-- triggers and fills it once, `projection::DERIVED`). The projection
-- writes meals with INSERT OR REPLACE and SQLite's default `recursive_triggers = OFF`, under
-- which a replaced row fires no delete trigger: the BEFORE INSERT trigger takes it out instead.
CREATE TABLE meal_month_diners (
    point_id TEXT NOT NULL,
    month    TEXT NOT NULL,      -- YYYY-MM
    elder_id TEXT NOT NULL,
    meals    INTEGER NOT NULL,
    subsidy  INTEGER NOT NULL,   -- fen
    PRIMARY KEY (point_id, month, elder_id)
) WITHOUT ROWID;

INSERT INTO meal_month_diners (point_id, month, elder_id, meals, subsidy)
SELECT point_id, substr(date, 1, 7), elder_id, count(*), sum(subsidy) FROM meals WHERE voided = 0
GROUP BY point_id, substr(date, 1, 7), elder_id;

CREATE TRIGGER meal_month_diners_replace BEFORE INSERT ON meals
WHEN EXISTS (SELECT 1 FROM meals WHERE id = NEW.id AND voided = 0)
BEGIN
    UPDATE meal_month_diners SET
        meals = meals - 1,
        subsidy = subsidy - (SELECT subsidy FROM meals WHERE id = NEW.id)
    WHERE (point_id, month, elder_id) = (SELECT point_id, substr(date, 1, 7), elder_id FROM meals WHERE id = NEW.id);
    DELETE FROM meal_month_diners WHERE meals <= 0
        AND (point_id, month, elder_id) = (SELECT point_id, substr(date, 1, 7), elder_id FROM meals WHERE id = NEW.id);
END;

CREATE TRIGGER meal_month_diners_insert AFTER INSERT ON meals WHEN NEW.voided = 0
BEGIN
    INSERT INTO meal_month_diners (point_id, month, elder_id, meals, subsidy)
    VALUES (NEW.point_id, substr(NEW.date, 1, 7), NEW.elder_id, 1, NEW.subsidy)
    ON CONFLICT (point_id, month, elder_id) DO UPDATE SET meals = meals + 1, subsidy = subsidy + excluded.subsidy;
END;

CREATE TRIGGER meal_month_diners_delete AFTER DELETE ON meals WHEN OLD.voided = 0
BEGIN
    UPDATE meal_month_diners SET meals = meals - 1, subsidy = subsidy - OLD.subsidy
    WHERE point_id = OLD.point_id AND month = substr(OLD.date, 1, 7) AND elder_id = OLD.elder_id;
    DELETE FROM meal_month_diners WHERE meals <= 0
        AND point_id = OLD.point_id AND month = substr(OLD.date, 1, 7) AND elder_id = OLD.elder_id;
END;

CREATE TRIGGER meal_month_diners_update AFTER UPDATE OF point_id, elder_id, date, subsidy, voided ON meals
BEGIN
    UPDATE meal_month_diners SET meals = meals - 1, subsidy = subsidy - OLD.subsidy
    WHERE OLD.voided = 0 AND point_id = OLD.point_id AND month = substr(OLD.date, 1, 7) AND elder_id = OLD.elder_id;
    DELETE FROM meal_month_diners WHERE meals <= 0
        AND point_id = OLD.point_id AND month = substr(OLD.date, 1, 7) AND elder_id = OLD.elder_id;
    INSERT INTO meal_month_diners (point_id, month, elder_id, meals, subsidy)
    SELECT NEW.point_id, substr(NEW.date, 1, 7), NEW.elder_id, 1, NEW.subsidy WHERE NEW.voided = 0
    ON CONFLICT (point_id, month, elder_id) DO UPDATE SET meals = meals + 1, subsidy = subsidy + excluded.subsidy;
END;
