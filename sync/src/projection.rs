//! The projection: SQLite tables computed from the shards' documents.
//!
//! Every row here can be dropped and recomputed from the documents ([`crate::Replica::rebuild`]).
//! A record that does not match its type (a newer app's record, say) is left out with a warning
//! rather than stopping the projection of the others.
//!
//! Two kinds of rows are derived from several records: an adaptation case's step (replayed from
//! its events, which live in two shards) is refreshed whenever the case or one of its events is
//! projected, and `attachment_refs` lists the attachments each visit and case refers to. Rows
//! about an elder the county merged into another read as the kept elder ([`crate::merges`]).

use std::collections::BTreeSet;

use automerge::Automerge;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use xianglin_schema::adaptation::{self, AdaptationCase, CaseEvent};
use xianglin_schema::assessment::Assessment;
use xianglin_schema::duplicate::DuplicateDecision;
use xianglin_schema::elder::Elder;
use xianglin_schema::meal::{Diner, Meal, MealAdjustment, MealPoint, SettlementReview, SettlementSubmission};
use xianglin_schema::names::name_keys;
use xianglin_schema::place::Place;
use xianglin_schema::policy::Policy;
use xianglin_schema::user::{Device, User};
use xianglin_schema::visit::Visit;

use crate::document::{self, StoredRecord};
use crate::merges;
use crate::shard::{ShardId, ShardKind};
use crate::{Error, Result};

/// The tables `rebuild` empties and refills, in the order they are compared by tests.
pub const TABLES: [&str; 20] = [
    "places",
    "policies",
    "users",
    "devices",
    "meal_points",
    "diners",
    "elders",
    "assessments",
    "visits",
    "meals",
    "meal_submissions",
    "meal_reviews",
    "meal_adjustments",
    "adaptation_cases",
    "case_events",
    "attachment_refs",
    "conflicts",
    "duplicate_decisions",
    "elder_aliases",
    "access_log",
];

/// The key of a record that is not its shard's main kind: `<kind>/<id>` (in the county document
/// every record has one: `place/<code>`, `policy/<version>`, `user/<id>`, `device/<id>`).
/// A shard's main kind (elders, visits, meals, cases) is keyed by the bare record id.
pub fn county_key(kind: &str, id: &str) -> String {
    format!("{kind}/{id}")
}

/// The kind a record key names (`None` for a bare record id).
fn key_kind(key: &str) -> Option<&str> {
    key.split_once('/').map(|(kind, _)| kind)
}

/// Empties every projection table, the [`DERIVED`] ones too.
pub fn clear(transaction: &Transaction<'_>) -> Result<()> {
    for table in DERIVED.iter().map(|(table, _)| table).chain(&TABLES) {
        transaction.execute(&format!("DELETE FROM {table}"), [])?;
    }
    Ok(())
}

/// Drops the secondary indexes and the triggers of the projection tables, and returns the SQL
/// that recreates each kind, for a rebuild: filling tables bare and indexing once at the end is
/// several times faster than keeping indexes and [`DERIVED`] tables up to date row by row.
pub fn drop_indexes_and_triggers(transaction: &Transaction<'_>) -> Result<(Vec<String>, Vec<String>)> {
    let placeholders = TABLES.iter().map(|table| format!("'{table}'")).collect::<Vec<_>>().join(", ");
    let mut statement = transaction.prepare(&format!(
        "SELECT type, name, sql FROM sqlite_master
         WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ({placeholders})"
    ))?;
    let found = statement
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let (mut indexes, mut triggers) = (Vec::new(), Vec::new());
    for (kind, name, sql) in found {
        let kind = if kind == "index" { "INDEX" } else { "TRIGGER" };
        transaction.execute(&format!("DROP {kind} \"{name}\""), [])?;
        if kind == "INDEX" { indexes.push(sql) } else { triggers.push(sql) }
    }
    Ok((indexes, triggers))
}

/// Tables that SQLite triggers (migration 0007) keep equal to an aggregate of a projection
/// table, and the statement that computes one afresh: `rebuild` drops the triggers, projects,
/// then fills these once. A removed shard and a merge keep them right through the triggers.
pub const DERIVED: [(&str, &str); 1] = [(
    "meal_month_diners",
    "INSERT INTO meal_month_diners (point_id, month, elder_id, meals, subsidy)
     SELECT point_id, substr(date, 1, 7), elder_id, count(*), sum(subsidy) FROM meals WHERE voided = 0
     GROUP BY point_id, substr(date, 1, 7), elder_id",
)];

/// Fills the [`DERIVED`] tables from their sources (they are empty: see [`clear`]).
pub fn fill_derived(transaction: &Transaction<'_>) -> Result<()> {
    for (_, fill) in DERIVED {
        transaction.execute(fill, [])?;
    }
    Ok(())
}

/// How much of the documents a replica projects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Extent {
    /// Every table: what a station's app reads.
    #[default]
    Station,
    /// Only what the county server reads: the county document (places, policies, users,
    /// devices, duplicate decisions) and which records refer to which attachment. Visits,
    /// elders, meals and cases stay in their documents and are not projected.
    County,
}

impl Extent {
    /// A shard's snapshot as a replica of this extent keeps it. A station keeps automerge's
    /// compressed columns (several times smaller on its disk). The county server keeps them
    /// plain: it hands a snapshot as stored to every device that has none of the shard, and the
    /// sync body's zstd compresses plain columns far better than it can shrink DEFLATE's.
    pub fn snapshot(self, document: &Automerge) -> Vec<u8> {
        match self {
            Extent::Station => document.save(),
            Extent::County => document.save_nocompress(),
        }
    }

    /// The text kept in the replica's settings.
    pub fn as_str(self) -> &'static str {
        match self {
            Extent::Station => "station",
            Extent::County => "county",
        }
    }
}

/// Projects the records under `keys` of `shard`'s document, replacing their rows.
pub fn project<'a>(
    transaction: &Transaction<'_>,
    extent: Extent,
    shard: &ShardId,
    document: &Automerge,
    keys: impl Iterator<Item = &'a String>,
) -> Result<()> {
    let shard_id = shard.to_string();
    for key in keys {
        let Some(stored) = document::read_record(document, key)? else { continue };
        delete_conflicts(transaction, &shard_id, key)?;
        project_record(transaction, extent, shard, &shard_id, key, stored)?;
    }
    Ok(())
}

/// Projects records read from a shard into tables that hold none of its rows yet (rebuild).
pub fn project_records(
    transaction: &Transaction<'_>,
    extent: Extent,
    shard: &ShardId,
    records: Vec<(String, StoredRecord)>,
) -> Result<()> {
    let shard_id = shard.to_string();
    for (key, stored) in records {
        project_record(transaction, extent, shard, &shard_id, &key, stored)?;
    }
    Ok(())
}

fn project_record(
    transaction: &Transaction<'_>,
    extent: Extent,
    shard: &ShardId,
    shard_id: &str,
    key: &str,
    stored: StoredRecord,
) -> Result<()> {
    if extent == Extent::County {
        return project_for_county(transaction, shard, shard_id, key, stored.value);
    }
    insert_conflicts(transaction, shard_id, key, &stored)?;
    let value = stored.value;
    let projected = match (shard.kind(), key_kind(key)) {
        (ShardKind::Elders, None) => typed(value).map(|elder| project_elder(transaction, shard_id, &elder)),
        (ShardKind::Elders, Some("assessment")) => {
            typed(value).map(|assessment| project_assessment(transaction, shard_id, &assessment))
        }
        (ShardKind::Visits, None) => typed(value).map(|visit| project_visit(transaction, shard_id, &visit)),
        (ShardKind::Visits, Some("access")) => {
            typed(value).map(|access| project_access(transaction, shard_id, &access))
        }
        (ShardKind::Township, Some("point")) => {
            typed(value.clone()).map(|point| project_meal_point(transaction, shard_id, &point, &value))
        }
        (ShardKind::Township, Some("diner")) => typed(value).map(|diner| project_diner(transaction, shard_id, &diner)),
        (ShardKind::Meals, None) => typed(value).map(|meal| project_meal(transaction, shard_id, &meal)),
        (ShardKind::Meals, Some("settlement")) => {
            typed(value).map(|submission| project_submission(transaction, shard_id, &submission))
        }
        (ShardKind::Meals, Some("adjustment")) => {
            typed(value).map(|adjustment| project_adjustment(transaction, shard_id, &adjustment))
        }
        (ShardKind::Review, Some("settlement")) => {
            typed(value).map(|review| project_meal_review(transaction, shard_id, &review))
        }
        (ShardKind::Adaptation, None) => typed(value).map(|case| project_case(transaction, shard_id, &case)),
        (ShardKind::Adaptation, Some("event")) | (ShardKind::Review, Some("case")) => {
            typed(value).map(|event| project_case_event(transaction, shard_id, &event))
        }
        (ShardKind::County, Some(_)) => project_county_record(transaction, shard_id, key, &value),
        _ => None,
    };
    match projected {
        Some(result) => result,
        None => {
            tracing::warn!(shard = %shard_id, key = %key, "record does not match its type; left out of the projection");
            Ok(())
        }
    }
}

/// What the county server reads of a record: the county document whole, and the attachments
/// visits and cases refer to (which villages' devices may fetch a file).
fn project_for_county(
    transaction: &Transaction<'_>,
    shard: &ShardId,
    shard_id: &str,
    key: &str,
    value: Json,
) -> Result<()> {
    match (shard.kind(), key_kind(key)) {
        (ShardKind::County, Some(_)) => project_county_record(transaction, shard_id, key, &value).unwrap_or(Ok(())),
        (ShardKind::Visits | ShardKind::Adaptation, None) => match attachments_of(shard, key, value) {
            Some((record_id, village, hashes)) => {
                project_attachment_refs(transaction, shard_id, &record_id, &village, hashes.iter())
            }
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

fn typed<T: DeserializeOwned>(value: Json) -> Option<T> {
    serde_json::from_value(value).ok()
}

/// The id a conflict row names: the record's key without its kind (`user/<id>` → `<id>`,
/// `settlement/<point>/<month>` → `<point>/<month>`).
fn conflict_record_id(key: &str) -> &str {
    key.split_once('/').map_or(key, |(_, id)| id)
}

fn delete_conflicts(transaction: &Transaction<'_>, shard_id: &str, key: &str) -> Result<()> {
    transaction
        .prepare_cached("DELETE FROM conflicts WHERE shard = ?1 AND record_id = ?2")?
        .execute(params![shard_id, conflict_record_id(key)])?;
    Ok(())
}

fn insert_conflicts(transaction: &Transaction<'_>, shard_id: &str, key: &str, stored: &StoredRecord) -> Result<()> {
    if stored.conflicts.is_empty() {
        return Ok(());
    }
    let mut insert = transaction
        .prepare_cached("INSERT INTO conflicts (shard, record_id, field, \"values\") VALUES (?1, ?2, ?3, ?4)")?;
    for conflict in &stored.conflicts {
        insert.execute(params![
            shard_id,
            conflict_record_id(key),
            conflict.field,
            serde_json::to_string(&conflict.values)?
        ])?;
    }
    Ok(())
}

/// An enum's (or any value's) text as its JSON reads: `living_alone`, not `"living_alone"`.
pub fn text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Json::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// An enum back from its column text (the inverse of [`text`]); `None` for text it does not know.
pub fn from_text<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(Json::String(text.to_owned())).ok()
}

fn project_elder(transaction: &Transaction<'_>, shard_id: &str, elder: &Elder) -> Result<()> {
    let keys = name_keys(&elder.name);
    let categories: Vec<String> = elder.categories.keys().map(text).collect();
    let township_code = format!("{}000", &elder.village_code[..9.min(elder.village_code.len())]);
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO elders (id, shard, name, name_pinyin, name_initials, id_number, gender, birth_date,
                phone, village_code, township_code, economic_status, categories, life_state, life_date, voided, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )?
        .execute(params![
            elder.id,
            shard_id,
            elder.name,
            keys.full,
            keys.initials,
            elder.id_number,
            text(&elder.gender),
            elder.birth_date.to_string(),
            elder.phone,
            elder.village_code,
            township_code,
            text(&elder.economic_status),
            categories.join(","),
            text(&elder.life.state),
            elder.life.date.map(|date| date.to_string()),
            elder.meta.is_voided() || merges::is_merged(transaction, &elder.id)?,
            serde_json::to_string(elder)?,
        ])?;
    Ok(())
}

/// The attachments a visit or an adaptation case refers to: the record's id, its village (whose
/// devices may read them) and the files' hashes. `None` for any other record, or one that does
/// not read as its type.
pub fn attachments_of(shard: &ShardId, key: &str, value: Json) -> Option<(String, String, BTreeSet<String>)> {
    match (shard.kind(), key_kind(key)) {
        (ShardKind::Visits, None) => {
            typed::<Visit>(value).map(|visit| (visit.id, visit.village_code, visit.photos.into_keys().collect()))
        }
        (ShardKind::Adaptation, None) => typed::<AdaptationCase>(value).map(|case| {
            let documents = case.documents.into_values().flat_map(|status| status.attachments);
            (case.id, case.village_code, case.attachments.into_keys().chain(documents).collect())
        }),
        _ => None,
    }
}

/// Records which attachments a record refers to (replacing what it referred to before), so that
/// sync fetches them and the server lets the devices of `place_code` read them.
fn project_attachment_refs<'a>(
    transaction: &Transaction<'_>,
    shard_id: &str,
    record_id: &str,
    place_code: &str,
    hashes: impl Iterator<Item = &'a String>,
) -> Result<()> {
    transaction
        .prepare_cached("DELETE FROM attachment_refs WHERE shard = ?1 AND record_id = ?2")?
        .execute(params![shard_id, record_id])?;
    let mut insert = transaction.prepare_cached(
        "INSERT OR IGNORE INTO attachment_refs (sha256, shard, record_id, place_code) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for sha256 in hashes {
        insert.execute(params![sha256, shard_id, record_id, place_code])?;
    }
    Ok(())
}

fn project_visit(transaction: &Transaction<'_>, shard_id: &str, visit: &Visit) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO visits (id, shard, elder_id, village_code, visited_at, mode, visitor_id,
                worst_severity, major_event, summary, voided, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            visit.id,
            shard_id,
            merges::aliased(transaction, "visits", &visit.id, &visit.elder_id)?,
            visit.village_code,
            visit.visited_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            text(&visit.mode),
            visit.visitor_id,
            text(&visit.worst_severity()),
            visit.major_event,
            visit.summary(),
            visit.meta.is_voided(),
            serde_json::to_string(visit)?,
        ])?;
    project_attachment_refs(transaction, shard_id, &visit.id, &visit.village_code, visit.photos.keys())
}

fn project_access(
    transaction: &Transaction<'_>,
    shard_id: &str,
    access: &xianglin_schema::access::AccessRecord,
) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO access_log (id, shard, elder_id, village_code, user_id, at, kind, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            access.id,
            shard_id,
            merges::aliased(transaction, "access_log", &access.id, &access.elder_id)?,
            access.village_code,
            access.user_id,
            access.at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            text(&access.kind),
            access.reason,
        ])?;
    Ok(())
}

fn project_meal(transaction: &Transaction<'_>, shard_id: &str, meal: &Meal) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO meals (id, shard, point_id, elder_id, date, slot, mode, proxy, operator_id,
                self_paid, subsidy, policy_version, voided, price, delivery_fee, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?
        .execute(params![
            meal.id,
            shard_id,
            meal.point_id,
            merges::aliased(transaction, "meals", &meal.id, &meal.elder_id)?,
            meal.date.to_string(),
            text(&meal.slot),
            text(&meal.mode),
            meal.proxy,
            meal.operator_id,
            meal.self_paid,
            meal.subsidy,
            meal.policy_version,
            meal.meta.is_voided(),
            meal.price,
            meal.delivery_fee,
            meal.subsidy_note,
        ])?;
    Ok(())
}

fn project_meal_point(transaction: &Transaction<'_>, shard_id: &str, point: &MealPoint, value: &Json) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO meal_points (id, name, kind, township_code, village_code, body, voided, shard)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            point.id,
            point.name,
            text(&point.kind),
            point.township_code,
            point.village_code,
            value.to_string(),
            point.meta.is_voided(),
            shard_id
        ])?;
    Ok(())
}

fn project_diner(transaction: &Transaction<'_>, shard_id: &str, diner: &Diner) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO diners (id, shard, point_id, elder_id, enrolled_on, left_on, voided, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            diner.id,
            shard_id,
            diner.point_id,
            merges::aliased(transaction, "diners", &diner.id, &diner.elder_id)?,
            diner.enrolled_on.to_string(),
            diner.left_on.map(|date| date.to_string()),
            diner.meta.is_voided(),
            serde_json::to_string(diner)?,
        ])?;
    Ok(())
}

fn project_submission(transaction: &Transaction<'_>, shard_id: &str, submission: &SettlementSubmission) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO meal_submissions (point_id, month, shard, submitted_at, voided, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            submission.point_id,
            submission.month,
            shard_id,
            submission.submitted_at,
            submission.meta.is_voided(),
            serde_json::to_string(submission)?,
        ])?;
    Ok(())
}

fn project_meal_review(transaction: &Transaction<'_>, shard_id: &str, review: &SettlementReview) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO meal_reviews (point_id, month, shard, decision, submission_id, voided, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            review.point_id,
            review.month,
            shard_id,
            text(&review.decision),
            review.submission_id,
            review.meta.is_voided(),
            serde_json::to_string(review)?,
        ])?;
    Ok(())
}

fn project_adjustment(transaction: &Transaction<'_>, shard_id: &str, adjustment: &MealAdjustment) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO meal_adjustments (id, shard, point_id, month, from_month, elder_id,
                subsidy_delta, self_paid_delta, voided, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            adjustment.id,
            shard_id,
            adjustment.point_id,
            adjustment.month,
            adjustment.from_month,
            merges::aliased(transaction, "meal_adjustments", &adjustment.id, &adjustment.elder_id)?,
            adjustment.subsidy_delta,
            adjustment.self_paid_delta,
            adjustment.meta.is_voided(),
            serde_json::to_string(adjustment)?,
        ])?;
    Ok(())
}

fn project_case(transaction: &Transaction<'_>, shard_id: &str, case: &AdaptationCase) -> Result<()> {
    let township_code = format!("{}000", &case.village_code[..9.min(case.village_code.len())]);
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO adaptation_cases (id, shard, elder_id, village_code, step, urban, voided, body,
                township_code, archived, step_since)
             VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, ?7, ?8, 0, '')",
        )?
        .execute(params![
            case.id,
            shard_id,
            merges::aliased(transaction, "adaptation_cases", &case.id, &case.elder_id)?,
            case.village_code,
            case.urban,
            case.meta.is_voided(),
            serde_json::to_string(case)?,
            township_code,
        ])?;
    let documents = case.documents.values().flat_map(|status| status.attachments.iter());
    let hashes: std::collections::BTreeSet<&String> = case.attachments.keys().chain(documents).collect();
    project_attachment_refs(transaction, shard_id, &case.id, &case.village_code, hashes.into_iter())?;
    refresh_case_progress(transaction, case).map(|_| ())
}

/// A step event of a case, from the case's shard or the township's review shard; the case's
/// derived step follows.
fn project_case_event(transaction: &Transaction<'_>, shard_id: &str, event: &CaseEvent) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO case_events (id, shard, case_id, step, outcome, by_user, at, voided, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            event.id,
            shard_id,
            event.case_id,
            text(&event.step),
            text(&event.outcome),
            event.by,
            event.at,
            event.meta.is_voided(),
            serde_json::to_string(event)?,
        ])?;
    let body: Option<String> = transaction
        .prepare_cached("SELECT body FROM adaptation_cases WHERE id = ?1")?
        .query_row([&event.case_id], |row| row.get(0))
        .optional()?;
    // The case may not have arrived yet; projecting it will replay this event.
    let Some(case) = body.and_then(|body| serde_json::from_str::<AdaptationCase>(&body).ok()) else { return Ok(()) };
    let progress = refresh_case_progress(transaction, &case)?;
    if progress.ignored.contains(&event.id) {
        // Only a merge can bring one (a write checks first): it is shown with the case, not applied.
        tracing::warn!(case = %case.id, event = %event.id, step = ?event.step, "case event for a step the case was not at; not applied");
    }
    Ok(())
}

/// Replays a case's events (in id order) into its row's step, archived flag and since. The
/// result depends only on the events projected, not on the order they were projected in, so
/// rebuild and the incremental projection agree.
fn refresh_case_progress(transaction: &Transaction<'_>, case: &AdaptationCase) -> Result<adaptation::CaseProgress> {
    let mut statement = transaction.prepare_cached("SELECT body FROM case_events WHERE case_id = ?1 ORDER BY id")?;
    let bodies = statement.query_map([&case.id], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    let events: Vec<CaseEvent> = bodies.iter().filter_map(|body| serde_json::from_str(body).ok()).collect();
    let progress = adaptation::replay(&case.meta.created_at, &events);
    transaction
        .prepare_cached("UPDATE adaptation_cases SET step = ?2, archived = ?3, step_since = ?4 WHERE id = ?1")?
        .execute(params![case.id, text(&progress.step), progress.archived, progress.since])?;
    Ok(progress)
}

fn project_assessment(transaction: &Transaction<'_>, shard_id: &str, assessment: &Assessment) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO assessments (id, shard, elder_id, assessed_on, standard, total, final_level, voided,
                body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            assessment.id,
            shard_id,
            merges::aliased(transaction, "assessments", &assessment.id, &assessment.elder_id)?,
            assessment.assessed_on.to_string(),
            text(&assessment.standard),
            assessment.result.as_ref().map(|result| result.total),
            assessment.result.as_ref().map(|result| text(&result.final_level)),
            assessment.meta.is_voided(),
            serde_json::to_string(assessment)?,
        ])?;
    Ok(())
}

fn project_county_record(transaction: &Transaction<'_>, shard_id: &str, key: &str, value: &Json) -> Option<Result<()>> {
    let (kind, _) = key.split_once('/')?;
    let result = match kind {
        "place" => {
            let place: Place = typed(value.clone())?;
            transaction
                .prepare_cached("INSERT OR REPLACE INTO places (code, name, level, parent_code, vintage, shard) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .and_then(|mut statement| {
                    statement.execute(params![place.code, place.name, text(&place.level), place.parent_code, place.vintage, shard_id])
                })
        }
        "policy" => {
            let policy: Policy = typed(value.clone())?;
            transaction
                .prepare_cached("INSERT OR REPLACE INTO policies (version, county_code, effective_from, body, shard) VALUES (?1, ?2, ?3, ?4, ?5)")
                .and_then(|mut statement| {
                    statement.execute(params![policy.version, policy.county_code, policy.effective_from.to_string(), value.to_string(), shard_id])
                })
        }
        "user" => {
            let user: User = typed(value.clone())?;
            transaction
                .prepare_cached("INSERT OR REPLACE INTO users (id, name, role, places, voided, shard) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .and_then(|mut statement| {
                    statement.execute(params![user.id, user.name, text(&user.role), serde_json::to_string(&user.places).unwrap_or_default(), user.meta.is_voided(), shard_id])
                })
        }
        "device" => {
            let device: Device = typed(value.clone())?;
            transaction
                .prepare_cached(
                    "INSERT OR REPLACE INTO devices (id, label, user_id, voided, shard) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut statement| {
                    statement.execute(params![
                        device.id,
                        device.label,
                        device.user_id,
                        device.meta.is_voided(),
                        shard_id
                    ])
                })
        }
        "duplicate" => {
            let decision: DuplicateDecision = typed(value.clone())?;
            return Some(merges::project_decision(transaction, shard_id, &decision));
        }
        _ => return None,
    };
    Some(result.map(|_| ()).map_err(Error::from))
}
