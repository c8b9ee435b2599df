//! Who viewed whose data. Every view of an elder's full data writes an [`AccessRecord`] into the
//! visit shard of the elder's village for the month (`access/<id>`), in the same step that
//! hands the data out: the record opened to edit, the ID number shown on the elder's page, a
//! roster or a city export written with full ID numbers. The records travel with the village to the county;
//! they are never edited or voided, so they stay as long as the village's documents do (the
//! six months PIPL asks for, and longer).
//!
//! [`log`] lists them for the county reviewer (by user, elder and dates); [`of_elder`] for the
//! elder's page.

use std::collections::BTreeMap;

use rusqlite::params;
use xianglin_schema::access::{AccessKind, AccessRecord, MAX_REASON_CHARS};
use xianglin_schema::api::{AccessLogPage, AccessLogRequest, AccessRow};
use xianglin_schema::elder::Elder;
use xianglin_schema::id_number;
use xianglin_schema::record::new_id;
use xianglin_schema::{Problem, Rule};
use xianglin_sync::projection::county_key;
use xianglin_sync::replica::to_json;
use xianglin_sync::{Error, Month, Replica, Result, ShardId};

use crate::lookup::current_elder;

/// Records that the signed-in user saw `kind` of each of `elders`, with `reason`: one record
/// per elder, every village's in one transaction.
pub fn record(replica: &mut Replica, elders: &[&Elder], kind: AccessKind, reason: &str) -> Result<()> {
    let seen: Vec<(&str, &str)> = elders.iter().map(|elder| (elder.id.as_str(), elder.village_code.as_str())).collect();
    let by_shard = records(replica, &seen, kind, reason)?;
    let writes: Vec<(&ShardId, &[(String, serde_json::Value)])> =
        by_shard.iter().map(|(shard, records)| (shard, records.as_slice())).collect();
    replica.commit_all(&writes, &replica.author())?;
    tracing::info!(kind = ?kind, elders = elders.len(), "access to full personal data recorded");
    Ok(())
}

/// The access records of the signed-in user seeing `kind` of each `(elder id, village)`, by the
/// shard each goes into, for a caller that writes them with its own records in one transaction.
pub fn records(
    replica: &Replica,
    elders: &[(&str, &str)],
    kind: AccessKind,
    reason: &str,
) -> Result<BTreeMap<ShardId, Vec<(String, serde_json::Value)>>> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::Problems(vec![Problem::new("reason", "查看原因", Rule::TooLong)]));
    }
    let at = replica.now();
    let (user_id, device_id) = (replica.user_id().to_owned(), replica.device_id());
    let mut by_shard: BTreeMap<ShardId, Vec<(String, serde_json::Value)>> = BTreeMap::new();
    for (elder_id, village_code) in elders {
        let access = AccessRecord {
            id: new_id(),
            elder_id: (*elder_id).to_owned(),
            village_code: (*village_code).to_owned(),
            user_id: user_id.clone(),
            at,
            kind,
            reason: reason.to_owned(),
            device_id: device_id.clone(),
        };
        let shard = ShardId::Visits { village: (*village_code).to_owned(), month: Month::of(at.date()) };
        by_shard.entry(shard).or_default().push((county_key("access", &access.id), to_json(&access)?));
    }
    Ok(by_shard)
}

/// An elder's full ID number for their page; the view is recorded first, with the reason.
pub fn reveal_id_number(replica: &mut Replica, elder_id: &str, reason: &str) -> Result<String> {
    let elder = in_scope(replica, elder_id)?;
    record(replica, &[&elder], AccessKind::IdNumber, reason)?;
    Ok(elder.id_number)
}

/// The elder, if they live in a village of the signed-in user's places (else not found: a
/// person sees nothing of other places' elders, not even that they exist).
fn in_scope(replica: &Replica, elder_id: &str) -> Result<Elder> {
    let elder = current_elder(replica, elder_id)?;
    if !crate::lookup::village_in_scope(replica, &elder.village_code)? {
        return Err(crate::Error::NotFound(format!("elder {elder_id}")));
    }
    Ok(elder)
}

/// An elder's full record to edit (ID number unmasked); the view is recorded first.
pub fn open_for_edit(replica: &mut Replica, elder_id: &str) -> Result<Elder> {
    let elder = in_scope(replica, elder_id)?;
    record(replica, &[&elder], AccessKind::FullRecord, "")?;
    Ok(elder)
}

/// The registry of a place as a roster file with full ID numbers
/// ([`crate::registry::roster::export`]), locked with `password`
/// ([`crate::locked_workbook`]); every elder in it gets an access record first.
/// Only the elders of the signed-in user's places go in; a place wholly outside them is refused.
pub fn export_registry(replica: &mut Replica, place_code: &str, password: &str) -> Result<Vec<u8>> {
    let mut elders = crate::registry::roster::elders_to_export(replica, place_code)?;
    if let Some(prefixes) = crate::lookup::scope_prefixes(replica)? {
        let place = crate::lookup::place_prefix(Some(place_code))?;
        if !prefixes.iter().any(|prefix| place.starts_with(prefix.as_str()) || prefix.starts_with(&place)) {
            return Err(Error::Problems(vec![crate::not_permitted("place_code", "该地区不在您负责的范围内")]));
        }
        elders.retain(|elder| prefixes.iter().any(|prefix| elder.village_code.starts_with(prefix.as_str())));
    }
    let workbook = zeroize::Zeroizing::new(crate::registry::roster::workbook_of(replica, &elders)?);
    let locked =
        crate::locked_workbook::lock(&workbook, password).map_err(|error| Error::Invalid(error.to_string()))?;
    record(replica, &elders.iter().collect::<Vec<_>>(), AccessKind::ExportWithIdNumber, "")?;
    Ok(locked)
}

/// The county's list: newest first, filtered by user, elder and days. Only a county reviewer
/// reads it.
pub fn log(replica: &Replica, request: &AccessLogRequest) -> Result<AccessLogPage> {
    if crate::lookup::user_role(replica)? != Some(xianglin_schema::user::Role::CountyReviewer) {
        return Err(Error::Problems(vec![crate::not_permitted("user_id", "只有县级审核员可以查看查阅记录")]));
    }
    let from = request.from.map(|day| day.format("%Y-%m-%dT00:00:00").to_string()).unwrap_or_default();
    let to = request.to.map(|day| day.format("%Y-%m-%dT23:59:59").to_string()).unwrap_or_else(|| "9999".into());
    let (user, elder) = (request.user_id.clone().unwrap_or_default(), request.elder_id.clone().unwrap_or_default());
    let filter = "FROM access_log a
         WHERE a.at >= ?1 AND a.at <= ?2 AND (?3 = '' OR a.user_id = ?3) AND (?4 = '' OR a.elder_id = ?4)";
    let connection = replica.connection();
    let total: u32 = connection
        .prepare_cached(&format!("SELECT count(*) {filter}"))?
        .query_row(params![from, to, user, elder], |row| row.get(0))?;
    let page_size = request.page_size.clamp(1, 200);
    let offset = request.page.max(1).saturating_sub(1) * page_size;
    let items = rows(
        replica,
        &format!("{filter} ORDER BY a.at DESC, a.id LIMIT ?5 OFFSET ?6"),
        params![from, to, user, elder, page_size, offset],
    )?;
    Ok(AccessLogPage { items, total })
}

/// Who looked at an elder's full data, newest first.
pub fn of_elder(replica: &Replica, elder_id: &str) -> Result<Vec<AccessRow>> {
    rows(replica, "FROM access_log a WHERE a.elder_id = ?1 ORDER BY a.at DESC, a.id LIMIT 200", params![elder_id])
}

fn rows(replica: &Replica, from_where: &str, parameters: impl rusqlite::Params) -> Result<Vec<AccessRow>> {
    let connection = replica.connection();
    let mut statement = connection.prepare_cached(&format!(
        "SELECT a.id, a.at, a.user_id, COALESCE(u.name, a.user_id), a.elder_id, COALESCE(e.name, ''),
                COALESCE(e.id_number, ''), COALESCE(v.name, a.village_code), a.kind, a.reason
         {}",
        from_where.replacen(
            "FROM access_log a",
            "FROM access_log a
                 LEFT JOIN users u ON u.id = a.user_id
                 LEFT JOIN current_elders e ON e.id = a.elder_id
                 LEFT JOIN places v ON v.code = a.village_code",
            1
        )
    ))?;
    let rows = statement.query_map(parameters, |row| {
        let kind: String = row.get(8)?;
        Ok((
            AccessRow {
                id: row.get(0)?,
                at: row.get::<_, String>(1)?.replace('T', " ").chars().take(16).collect(),
                user_id: row.get(2)?,
                user_name: row.get(3)?,
                elder_id: row.get(4)?,
                elder_name: row.get(5)?,
                id_number_masked: id_number::mask(&row.get::<_, String>(6)?),
                village_name: row.get(7)?,
                kind: AccessKind::IdNumber,
                kind_label: String::new(),
                reason: row.get(9)?,
            },
            kind,
        ))
    })?;
    rows.map(|row| {
        let (mut access, kind) = row?;
        access.kind = serde_json::from_value(serde_json::Value::String(kind))?;
        access.kind_label = access.kind.label().to_owned();
        Ok(access)
    })
    .collect()
}
