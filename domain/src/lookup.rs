//! The look-ups every area shares, written once: the current entry of an elder (an elder who
//! moved village has an entry in each village; the projection's `current_elders` view picks
//! the one that counts), an elder's village and life status, names of places, users and
//! elders, the signed-in user's role, whether a place exists, the county's policies, the
//! county this replica holds, the code prefix of a place, a time as lists show it.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use xianglin_schema::elder::{Elder, LifeStatus};
use xianglin_schema::place::{PlaceLevel, PlaceSummary};
use xianglin_schema::policy::Policy;
use xianglin_schema::user::Role;
use xianglin_sync::projection::from_text;

use crate::{Error, Replica, Result};

/// The elder's current registry entry (the entry in the village they live in now).
pub fn current_elder(replica: &Replica, elder_id: &str) -> Result<Elder> {
    find_current_elder(replica, elder_id)?.ok_or_else(|| Error::NotFound(format!("elder {elder_id}")))
}

/// The elder's current registry entry, if this replica holds the elder.
pub fn find_current_elder(replica: &Replica, elder_id: &str) -> Result<Option<Elder>> {
    let body: Option<String> = replica
        .connection()
        .prepare_cached("SELECT body FROM current_elders WHERE id = ?1")?
        .query_row([elder_id], |row| row.get(0))
        .optional()?;
    body.map(|body| Ok(serde_json::from_str(&body)?)).transpose()
}

/// An elder's entry even after a merge took them off lists (the projection marks a merged
/// elder voided): the current entry if there is one, else the one the merge left. What the
/// duplicates page shows of both sides of a decision.
pub fn elder_including_merged(replica: &Replica, elder_id: &str) -> Result<Elder> {
    let body: Option<String> = replica
        .connection()
        .prepare_cached("SELECT body FROM elders WHERE id = ?1 ORDER BY voided, life_state = 'moved', shard LIMIT 1")?
        .query_row([elder_id], |row| row.get(0))
        .optional()?;
    let body = body.ok_or_else(|| Error::NotFound(format!("elder {elder_id}")))?;
    Ok(serde_json::from_str(&body)?)
}

/// The current entry of the elder with this ID number, if any.
pub fn elder_by_id_number(replica: &Replica, id_number: &str) -> Result<Option<Elder>> {
    let body: Option<String> = replica
        .connection()
        .prepare_cached("SELECT body FROM current_elders WHERE id_number = ?1 ORDER BY id LIMIT 1")?
        .query_row([id_number], |row| row.get(0))
        .optional()?;
    body.map(|body| Ok(serde_json::from_str(&body)?)).transpose()
}

/// The village and life status of an elder (living or not), if the elder exists.
pub fn elder_life(replica: &Replica, elder_id: &str) -> Result<Option<(String, LifeStatus)>> {
    let row: Option<(String, String, Option<String>)> = replica
        .connection()
        .prepare_cached("SELECT village_code, life_state, life_date FROM current_elders WHERE id = ?1")?
        .query_row([elder_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    Ok(row.map(|(village, state, date)| {
        let date = date.and_then(|date| NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok());
        (village, LifeStatus { state: from_text(&state).unwrap_or_default(), date, moved_to: None })
    }))
}

/// An elder's name (from the current entry), if the elder is here.
pub fn elder_name(replica: &Replica, elder_id: &str) -> Result<Option<String>> {
    name_by_key(replica, "SELECT name FROM current_elders WHERE id = ?1", elder_id)
}

/// A place's name, if this replica knows the place.
pub fn place_name(replica: &Replica, code: &str) -> Result<Option<String>> {
    name_by_key(replica, "SELECT name FROM places WHERE code = ?1", code)
}

/// A user's name, if the county document holding them has reached this replica.
pub fn user_name(replica: &Replica, user_id: &str) -> Result<Option<String>> {
    name_by_key(replica, "SELECT name FROM users WHERE id = ?1", user_id)
}

/// A user who may sign in (not voided): name, role and the codes of their places.
pub fn user_account(replica: &Replica, user_id: &str) -> Result<Option<(String, Role, Vec<String>)>> {
    let row: Option<(String, String, String)> = replica
        .connection()
        .prepare_cached("SELECT name, role, places FROM users WHERE id = ?1 AND voided = 0")?
        .query_row([user_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let Some((name, role, places)) = row else { return Ok(None) };
    let Some(role) = from_text(&role) else { return Ok(None) };
    Ok(Some((name, role, serde_json::from_str(&places)?)))
}

/// The role of the user signed in on this replica (`None` before enrollment or for a voided user).
pub fn user_role(replica: &Replica) -> Result<Option<Role>> {
    let role: Option<String> = replica
        .connection()
        .prepare_cached("SELECT role FROM users WHERE id = ?1 AND voided = 0")?
        .query_row([replica.user_id()], |row| row.get(0))
        .optional()?;
    Ok(role.and_then(|role| from_text(&role)))
}

/// Whether this replica knows a place of this code at this level (`village`, `township`, ...).
pub fn place_exists(replica: &Replica, code: &str, level: &str) -> Result<bool> {
    Ok(replica
        .connection()
        .prepare_cached("SELECT 1 FROM places WHERE code = ?1 AND level = ?2")?
        .query_row(params![code, level], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Every policy version of the county.
pub fn policies(replica: &Replica) -> Result<Vec<Policy>> {
    let mut statement = replica.connection().prepare_cached("SELECT body FROM policies")?;
    let bodies = statement.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    bodies.iter().map(|body| Ok(serde_json::from_str(body)?)).collect()
}

/// The county this replica holds (`None` before its document arrives).
pub fn county_of(replica: &Replica) -> Result<Option<PlaceSummary>> {
    Ok(replica
        .connection()
        .prepare_cached("SELECT code, name FROM places WHERE level = 'county' ORDER BY code LIMIT 1")?
        .query_row([], |row| Ok(PlaceSummary { code: row.get(0)?, name: row.get(1)?, level: PlaceLevel::County }))
        .optional()?)
}

/// The county this replica holds, for a request that needs one.
pub fn county(replica: &Replica) -> Result<PlaceSummary> {
    county_of(replica)?.ok_or_else(|| Error::Invalid("no county on this replica".into()))
}

/// A record's `YYYY-MM-DDTHH:MM:SS` as lists show it: `YYYY-MM-DD HH:MM`.
pub fn minutes(at: &str) -> String {
    at.get(..16).unwrap_or(at).replacen('T', " ", 1)
}

/// The code prefix that every place within a village, township or county code shares (the
/// empty prefix, every place, for `None`), for `LIKE prefix || '%'` queries.
pub fn place_prefix(place_code: Option<&str>) -> Result<String> {
    let Some(code) = place_code else { return Ok(String::new()) };
    match xianglin_schema::place::level_of(code) {
        Some(PlaceLevel::Village) => Ok(code.to_owned()),
        Some(PlaceLevel::Township) => Ok(code[..9].to_owned()),
        Some(PlaceLevel::County) => Ok(code[..6].to_owned()),
        _ => Err(Error::Invalid(format!("place {code} is not a village, township or county"))),
    }
}

/// The code prefixes of the places the signed-in user works for (a village's whole code, a
/// township's first 9 digits, a county's first 6), as JSON for `json_each`: what their lists
/// and pages may show. `None` (not narrowed) when nobody is signed in or the signed-in id is no
/// user of the county document (the county server's own id, a test's); the app signs in only
/// users of it. A user voided while signed in stays narrowed to their places.
pub fn user_scope(replica: &Replica) -> Result<Option<String>> {
    if replica.user_id().is_empty() {
        return Ok(None);
    }
    let places: Option<String> = replica
        .connection()
        .prepare_cached("SELECT places FROM users WHERE id = ?1")?
        .query_row([replica.user_id()], |row| row.get(0))
        .optional()?;
    let Some(places) = places else { return Ok(None) };
    let places: Vec<String> = serde_json::from_str(&places)?;
    let prefixes = places.iter().map(|place| place_prefix(Some(place))).collect::<Result<Vec<_>>>()?;
    Ok(Some(serde_json::to_string(&prefixes)?))
}

/// The SQL condition that `column` (a village code) lies in the user's scope, binding the
/// scope as parameter `?{index}`.
pub fn in_scope_sql(column: &str, index: usize) -> String {
    format!("EXISTS (SELECT 1 FROM json_each(?{index}) WHERE {column} LIKE json_each.value || '%')")
}

/// Whether `village_code` lies in the signed-in user's scope.
pub fn village_in_scope(replica: &Replica, village_code: &str) -> Result<bool> {
    Ok(scope_prefixes(replica)?.is_none_or(|prefixes| prefixes.iter().any(|prefix| village_code.starts_with(prefix))))
}

/// [`user_scope`] as a list of code prefixes (`None`: not narrowed).
pub fn scope_prefixes(replica: &Replica) -> Result<Option<Vec<String>>> {
    match user_scope(replica)? {
        Some(scope) => Ok(Some(serde_json::from_str(&scope)?)),
        None => Ok(None),
    }
}

fn name_by_key(replica: &Replica, sql: &str, key: &str) -> Result<Option<String>> {
    Ok(replica.connection().prepare_cached(sql)?.query_row([key], |row| row.get(0)).optional()?)
}
