//! Conflicts as the county reviewer resolves them: every field that devices changed
//! concurrently, each value with who wrote it and when, and picking one (or typing another for
//! an elder) so that every device holds that value after it syncs.
//!
//! The projection's `conflicts` table says where conflicts are; the values, their writers and
//! their times come from the documents. Resolving writes the one field and nothing else of the
//! record, so its other fields (and their conflicts) stay as they are.

use std::collections::BTreeMap;

use chrono::DateTime;
use rusqlite::OptionalExtension;
use serde_json::Value as Json;
use xianglin_schema::api::{ConflictRecordKind, ConflictRow, ConflictValue, ResolveConflict};
use xianglin_schema::elder::{self, Elder};
use xianglin_schema::id_number;
use xianglin_schema::problem::{Problem, Rule};
use xianglin_schema::record::format_datetime;

use crate::query;
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::document;
use xianglin_sync::shard::ShardId;

/// Every conflicted field of the replica, elders first, then by place and record.
pub fn conflicts(replica: &mut Replica) -> Result<Vec<ConflictRow>> {
    let mut by_shard: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for conflict in query::all_conflicts(replica)? {
        by_shard.entry(conflict.shard).or_default().push((conflict.record_id, conflict.field));
    }
    let mut rows = Vec::new();
    for (shard_text, fields) in by_shard {
        let shard: ShardId = shard_text.parse()?;
        let found = replica.with_document(&shard, |doc| -> Result<Vec<_>> {
            let changes = doc.get_changes(&[]);
            let mut found = Vec::new();
            for (record_id, field) in &fields {
                let values = document::field_values(doc, record_id, field)?
                    .into_iter()
                    .map(|(value, op)| {
                        let change = document::change_of(&changes, &op).map(|index| &changes[index]);
                        let at = change
                            .and_then(|change| DateTime::from_timestamp(change.timestamp(), 0))
                            .map(|at| format_datetime(at.naive_utc()).replace('T', " "))
                            .unwrap_or_default();
                        let user_id = document::change_origin(change.and_then(|change| change.message())).user_id;
                        let device = change
                            .map(|change| change.actor_id().to_hex_string().chars().take(8).collect())
                            .unwrap_or_default();
                        (value, user_id, device, at)
                    })
                    .collect::<Vec<_>>();
                found.push((record_id.clone(), field.clone(), values));
            }
            Ok(found)
        })??;
        for (record_id, field, values) in found {
            if values.len() < 2 {
                continue;
            }
            let (kind, elder_id, village_code) = describe(replica, &shard, &record_id)?;
            let last = values.len() - 1;
            let mut shown = Vec::with_capacity(values.len());
            for (index, (value, user_id, device, at)) in values.into_iter().enumerate() {
                shown.push(ConflictValue {
                    display: display(&field, &value),
                    value: value.to_string(),
                    user_name: crate::lookup::user_name(replica, &user_id)?.unwrap_or_default(),
                    device,
                    at,
                    shown: index == last,
                });
            }
            // The value lists show first, then the others newest first.
            shown.reverse();
            rows.push(ConflictRow {
                shard: shard_text.clone(),
                record_id,
                kind,
                elder_name: match &elder_id {
                    Some(id) => crate::lookup::elder_name(replica, id)?.unwrap_or_default(),
                    None => String::new(),
                },
                elder_id,
                place_name: match village_code {
                    Some(code) => crate::lookup::place_name(replica, &code)?.unwrap_or_default(),
                    None => String::new(),
                },
                field,
                accepts_other: kind == ConflictRecordKind::Elder,
                values: shown,
            });
        }
    }
    rows.sort_by(|a, b| {
        (a.kind != ConflictRecordKind::Elder, &a.place_name, &a.elder_name, &a.record_id, &a.field).cmp(&(
            b.kind != ConflictRecordKind::Elder,
            &b.place_name,
            &b.elder_name,
            &b.record_id,
            &b.field,
        ))
    });
    Ok(rows)
}

/// Resolves a conflict with one of its values, or (for an elder) another value that passes
/// the registry's checks. Refused with a Chinese message, changing nothing, when the conflict
/// is gone (another device resolved it first), the value is not JSON, or the value breaks a
/// rule of the record.
pub fn resolve(replica: &mut Replica, request: &ResolveConflict) -> Result<()> {
    let shard: ShardId = request.shard.parse()?;
    let refused = |message: &str| {
        Error::Problems(vec![Problem {
            field: request.field.clone(),
            rule: Rule::Conflicts,
            message: message.to_owned(),
        }])
    };
    let listed: Option<String> = replica
        .connection()
        .query_row(
            "SELECT \"values\" FROM conflicts WHERE shard = ?1 AND record_id = ?2 AND field = ?3",
            [&request.shard, &request.record_id, &request.field],
            |row| row.get(0),
        )
        .optional()?;
    let Some(listed) = listed else {
        return Err(refused("这处冲突已不存在（可能已在别处解决），请刷新后再看"));
    };
    let listed: Vec<Json> = serde_json::from_str(&listed)?;
    let Ok(mut value) = serde_json::from_str::<Json>(&request.value) else {
        return Err(refused("所选的值格式不正确"));
    };
    let (kind, _, _) = describe(replica, &shard, &request.record_id)?;
    if !listed.contains(&value) {
        if kind != ConflictRecordKind::Elder {
            return Err(refused("这类记录只能在已有的几个值中选一个"));
        }
        value = checked_elder_value(replica, &shard, request, value)?;
    }
    let author = replica.author();
    replica.write_field(&shard, &request.record_id, &request.field, &value, &author)?;
    tracing::info!(shard = %request.shard, field = %request.field, "conflict resolved");
    Ok(())
}

/// A typed value for an elder's field, as the registry would store it: the record with that
/// value must pass the registry's checks; the value comes back normalized.
fn checked_elder_value(replica: &mut Replica, shard: &ShardId, request: &ResolveConflict, value: Json) -> Result<Json> {
    let stored = replica
        .read_record(shard, &request.record_id)?
        .ok_or_else(|| Error::NotFound(format!("{} {}", request.shard, request.record_id)))?;
    let mut record = stored.value;
    set_path(&mut record, &request.field, value)?;
    let elder: Elder = serde_json::from_value(record).map_err(|_| {
        Error::Problems(vec![Problem {
            field: request.field.clone(),
            rule: Rule::Conflicts,
            message: "输入的值与这一项的类型不符".to_owned(),
        }])
    })?;
    let normalized = elder::normalize(elder, replica.today()).map_err(Error::Problems)?;
    let mut normalized = serde_json::to_value(normalized)?;
    take_path(&mut normalized, &request.field)
        .ok_or_else(|| Error::Invalid(format!("field {} is not part of an elder", request.field)))
}

fn set_path(record: &mut Json, path: &str, value: Json) -> Result<()> {
    let mut object = record;
    let mut segments: Vec<&str> = path.split('.').collect();
    let last = segments.pop().unwrap_or_default();
    for segment in segments {
        object = object.get_mut(segment).ok_or_else(|| Error::Invalid(format!("no field {path}")))?;
    }
    object.as_object_mut().ok_or_else(|| Error::Invalid(format!("no field {path}")))?.insert(last.to_owned(), value);
    Ok(())
}

fn take_path(record: &mut Json, path: &str) -> Option<Json> {
    let mut object = record;
    for segment in path.split('.') {
        object = object.get_mut(segment)?;
    }
    Some(object.take())
}

/// What a record is, the elder it is about, and the village it belongs to.
fn describe(
    replica: &Replica,
    shard: &ShardId,
    record_id: &str,
) -> Result<(ConflictRecordKind, Option<String>, Option<String>)> {
    let connection = replica.connection();
    Ok(match shard {
        ShardId::Elders { village } if !record_id.contains('/') => {
            (ConflictRecordKind::Elder, Some(record_id.to_owned()), Some(village.clone()))
        }
        ShardId::Visits { village, .. } if !record_id.contains('/') => {
            let elder: Option<String> = connection
                .query_row("SELECT elder_id FROM visits WHERE id = ?1", [record_id], |row| row.get(0))
                .optional()?;
            (ConflictRecordKind::Visit, elder, Some(village.clone()))
        }
        ShardId::Elders { village } | ShardId::Visits { village, .. } | ShardId::Adaptation { village, .. } => {
            (ConflictRecordKind::Other, None, Some(village.clone()))
        }
        ShardId::Township { township } | ShardId::Meals { township, .. } | ShardId::Review { township } => {
            (ConflictRecordKind::Other, None, Some(township.clone()))
        }
        ShardId::County { county } => (ConflictRecordKind::Other, None, Some(county.clone())),
    })
}

/// A value as a person reads it: text without quotes, an ID number masked.
fn display(field: &str, value: &Json) -> String {
    match value {
        Json::String(text) if field == "id_number" || field.ends_with(".id_number") => id_number::mask(text),
        Json::String(text) => text.clone(),
        Json::Null => "（空）".to_owned(),
        other => other.to_string(),
    }
}
