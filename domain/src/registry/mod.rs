//! The elder registry's writes and audit: duplicates caught at entry (offline, against the
//! whole replica), an elder's history read from the documents, and referral tracking.

pub mod roster;
pub mod workbook;

use std::collections::HashMap;

use chrono::DateTime;
use rusqlite::OptionalExtension;
use xianglin_schema::api::{
    DuplicateCandidate, DuplicateReason, HistoryEntry, RecordLifeEvent, ReferralRow, ReferralsRequest, SaveElder,
    SaveElderOutcome, UpdateReferral,
};
use xianglin_schema::elder::{self, Elder, LifeEvent, LifeStatus};
use xianglin_schema::id_number;
use xianglin_schema::names::name_keys;
use xianglin_schema::problem::{Problem, Rule};
use xianglin_schema::record::{RecordMeta, format_datetime, new_id};
use xianglin_schema::visit::{ReferralStatus, Visit};

use crate::lookup::{current_elder, place_exists, user_name};
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::shard::ShardId;

/// Saves an elder after its checks; an elder who looks like one already registered (same ID
/// number anywhere, or same name or pinyin, birth date and village) is not saved unless the
/// request says the person confirmed it is someone else.
pub fn save_elder(replica: &mut Replica, request: SaveElder) -> Result<SaveElderOutcome> {
    let normalized = elder::normalize(request.elder, replica.today()).map_err(Error::Problems)?;
    if !request.confirmed {
        let candidates = duplicate_candidates(replica, &normalized)?;
        if !candidates.is_empty() {
            return Ok(SaveElderOutcome::PossibleDuplicates { candidates });
        }
    }
    Ok(SaveElderOutcome::Saved { elder: Box::new(store_elder(replica, normalized)?) })
}

/// Checks an elder (`xianglin_schema::elder::normalize`, and that the village is known) and
/// writes it (new if `id` is empty); returns it as stored.
///
/// An elder whose village changed is written to the new village's shard under the same id,
/// and the entry in the old village is marked moved (with the date and destination), so the
/// projection shows one elder and both villages keep their history. Both shards are written
/// in one transaction: a crash leaves the move done in both or in neither.
pub fn store_elder(replica: &mut Replica, elder: Elder) -> Result<Elder> {
    let mut elder = elder::normalize(elder, replica.today()).map_err(Error::Problems)?;
    if !place_exists(replica, &elder.village_code, "village")? {
        return Err(Error::Problems(vec![Problem::new("village_code", "所在村", Rule::PlaceUnknown)]));
    }
    if elder.id.is_empty() {
        elder.id = new_id();
        elder.meta = RecordMeta::created(replica.now(), replica.user_id());
    }
    let shard = ShardId::elders(&elder.village_code);
    let elsewhere = entries_elsewhere(replica, &elder.id, &shard)?;
    // What a newer app stored in the elder's record is kept, also in the entry of a village
    // they move to (taken from the entry they leave).
    let stored_in = match elsewhere.first() {
        Some((old_shard, _)) if replica.read_record(&shard, &elder.id)?.is_none() => old_shard.clone(),
        _ => shard.clone(),
    };
    let mut writes =
        vec![(shard.clone(), vec![(elder.id.clone(), replica.record_json(&stored_in, &elder.id, &elder)?)])];
    for (old_shard, mut old_entry) in elsewhere {
        old_entry.life = elder::LifeStatus {
            state: elder::LifeState::Moved,
            date: Some(replica.today()),
            moved_to: Some(elder.village_code.clone()),
        };
        let record = replica.record_json(&old_shard, &old_entry.id, &old_entry)?;
        writes.push((old_shard, vec![(old_entry.id.clone(), record)]));
    }
    let writes: Vec<_> = writes.iter().map(|(shard, records)| (shard, records.as_slice())).collect();
    replica.commit_all(&writes, &replica.author())?;
    Ok(elder)
}

/// Entries of an elder in other villages' shards that are not yet marked moved.
fn entries_elsewhere(replica: &Replica, elder_id: &str, shard: &ShardId) -> Result<Vec<(ShardId, Elder)>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT shard, body FROM elders WHERE id = ?1 AND shard != ?2 AND life_state != 'moved' AND voided = 0",
    )?;
    let rows = statement.query_map(rusqlite::params![elder_id, shard.to_string()], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    rows.map(|row| {
        let (shard, body) = row?;
        Ok((shard.parse()?, serde_json::from_str(&body)?))
    })
    .collect()
}

/// Registered elders (other than `elder` itself) who may be the same person.
pub fn duplicate_candidates(replica: &Replica, elder: &Elder) -> Result<Vec<DuplicateCandidate>> {
    let keys = name_keys(&elder.name);
    let mut statement = replica.connection().prepare_cached(
        "SELECT e.body, coalesce(v.name, ''), e.id_number = ?1
         FROM elders e LEFT JOIN places v ON v.code = e.village_code
         WHERE e.voided = 0 AND e.id != ?2
           AND (e.id_number = ?1
                OR ((e.name = ?3 OR e.name_pinyin = ?4) AND e.birth_date = ?5 AND e.village_code = ?6))
         ORDER BY e.id_number = ?1 DESC, e.name_pinyin",
    )?;
    let rows = statement.query_map(
        (&elder.id_number, &elder.id, &elder.name, &keys.full, elder.birth_date.to_string(), &elder.village_code),
        |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, bool>(2)?)),
    )?;
    let mut candidates: Vec<DuplicateCandidate> = Vec::new();
    for row in rows {
        let (body, village_name, same_id_number) = row?;
        let existing: Elder = serde_json::from_str(&body)?;
        if candidates.iter().any(|candidate| candidate.elder_id == existing.id) {
            continue;
        }
        let (reason, explanation) = if same_id_number {
            (DuplicateReason::SameIdNumber, format!("身份证号与{village_name}的{}相同", existing.name))
        } else {
            (
                DuplicateReason::SameNameBirthVillage,
                format!("与{village_name}的{}姓名（或拼音）、出生日期相同", existing.name),
            )
        };
        candidates.push(DuplicateCandidate {
            elder_id: existing.id,
            name: existing.name,
            id_number_masked: id_number::mask(&existing.id_number),
            birth_date: existing.birth_date.to_string(),
            village_name,
            life: existing.life,
            reason,
            explanation,
        });
    }
    Ok(candidates)
}

/// Marks an elder moved away or deceased on a date; the record stays, with its history.
pub fn set_life_status(replica: &mut Replica, elder_id: &str, life: LifeStatus) -> Result<Elder> {
    let mut elder = current_elder(replica, elder_id)?;
    elder.life = life;
    store_elder(replica, elder)
}

/// Records a major life event (重大变故); the elder's next visit falls due within the tier's hours.
pub fn record_life_event(replica: &mut Replica, request: RecordLifeEvent) -> Result<Elder> {
    let mut problems = Vec::new();
    if request.kind.trim().is_empty() {
        problems.push(Problem::new("kind", "变故类型", Rule::Required));
    }
    if request.at > replica.now() {
        problems.push(Problem::new("at", "发生时间", Rule::DateInFuture));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let mut elder = current_elder(replica, &request.elder_id)?;
    let recorded_by = replica.user_id().to_owned();
    elder.events.insert(
        xianglin_schema::record::new_id(),
        LifeEvent {
            at: request.at,
            kind: request.kind.trim().to_owned(),
            note: request.note.trim().to_owned(),
            recorded_by,
        },
    );
    store_elder(replica, elder)
}

/// Every change made to an elder's record, oldest first, read from the documents.
pub fn elder_history(replica: &mut Replica, elder_id: &str) -> Result<Vec<HistoryEntry>> {
    let shards: Vec<String> = {
        let mut statement = replica.connection().prepare_cached("SELECT shard FROM elders WHERE id = ?1")?;
        statement.query_map([elder_id], |row| row.get(0))?.collect::<Result<_, _>>()?
    };
    if shards.is_empty() {
        return Err(Error::NotFound(format!("elder {elder_id}")));
    }
    let mut entries = Vec::new();
    for shard in shards {
        let shard: ShardId = shard.parse()?;
        for change in replica.record_history(&shard, elder_id)? {
            let at = DateTime::from_timestamp(change.timestamp, 0)
                .map(|at| format_datetime(at.naive_utc()))
                .unwrap_or_default();
            entries.push(HistoryEntry {
                at: at.replace('T', " "),
                user_id: change.user_id,
                user_name: String::new(),
                device: change.device.chars().take(8).collect(),
                fields: change.fields,
                created: change.created,
            });
        }
    }
    entries.sort_by(|first, second| first.at.cmp(&second.at));
    for entry in &mut entries {
        entry.user_name = user_name(replica, &entry.user_id)?.unwrap_or_default();
    }
    Ok(entries)
}

/// The referrals of a place, open ones first, newest first within a status.
pub fn referrals(replica: &Replica, request: &ReferralsRequest) -> Result<Vec<ReferralRow>> {
    let prefix = crate::lookup::place_prefix(request.place_code.as_deref())?;
    let connection = replica.connection();
    let mut statement = connection.prepare_cached(
        "SELECT s.body, coalesce(e.name, ''), coalesce(p.name, '') FROM visits s
         LEFT JOIN current_elders e ON e.id = s.elder_id
         LEFT JOIN places p ON p.code = s.village_code
         WHERE s.voided = 0 AND s.village_code LIKE ?1 || '%' AND s.body NOT LIKE '%\"referrals\":{}%'
           AND (?2 IS NULL OR EXISTS (SELECT 1 FROM json_each(?2) WHERE s.village_code LIKE json_each.value || '%'))",
    )?;
    // Only the signed-in person's places.
    let scope = crate::lookup::user_scope(replica)?;
    let rows = statement.query_map(rusqlite::params![prefix, scope], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
    })?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut user_name = |id: &str| -> Result<String> {
        if let Some(name) = names.get(id) {
            return Ok(name.clone());
        }
        let name: String = connection
            .query_row("SELECT name FROM users WHERE id = ?1", [id], |row| row.get(0))
            .optional()?
            .unwrap_or_else(|| id.to_owned());
        names.insert(id.to_owned(), name.clone());
        Ok(name)
    };
    let mut referrals = Vec::new();
    for row in rows {
        let (body, elder_name, village_name) = row?;
        let visit: Visit = serde_json::from_str(&body)?;
        for (referral_id, referral) in &visit.referrals {
            if referral.status == ReferralStatus::Closed && !request.include_closed {
                continue;
            }
            referrals.push(ReferralRow {
                visit_id: visit.id.clone(),
                referral_id: referral_id.clone(),
                elder_id: visit.elder_id.clone(),
                elder_name: elder_name.clone(),
                village_name: village_name.clone(),
                visited_at: format_datetime(visit.visited_at),
                opened_by_name: user_name(&referral.opened_by)?,
                status_changed_by_name: referral.status_changed_by.as_deref().map(&mut user_name).transpose()?,
                referral: referral.clone(),
            });
        }
    }
    let rank = |status: ReferralStatus| match status {
        ReferralStatus::Open => 0,
        ReferralStatus::InProgress => 1,
        ReferralStatus::Closed => 2,
    };
    referrals.sort_by(|first, second| {
        (rank(first.referral.status), std::cmp::Reverse(&first.referral.opened_at))
            .cmp(&(rank(second.referral.status), std::cmp::Reverse(&second.referral.opened_at)))
    });
    Ok(referrals)
}

/// Moves a referral of a visit to a new status, recording who and when.
pub fn update_referral(replica: &mut Replica, request: &UpdateReferral) -> Result<Visit> {
    let body: String = replica
        .connection()
        .query_row("SELECT body FROM visits WHERE id = ?1 AND voided = 0", [&request.visit_id], |row| row.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("visit {}", request.visit_id)))?;
    let mut visit: Visit = serde_json::from_str(&body)?;
    let now = format_datetime(replica.now());
    let user = replica.user_id().to_owned();
    let referral = visit
        .referrals
        .get_mut(&request.referral_id)
        .ok_or_else(|| Error::NotFound(format!("referral {}", request.referral_id)))?;
    if referral.status == ReferralStatus::Closed {
        return Err(Error::Problems(vec![crate::refused_now("status", "该转介已办结，不能再更改")]));
    }
    referral.status = request.status;
    referral.status_changed_at = Some(now);
    referral.status_changed_by = Some(user);
    let shard = ShardId::visits(&visit.village_code, visit.visited_at.date());
    replica.commit_record(&shard, visit.id.clone(), &visit)?;
    Ok(visit)
}

/// An elder's full record, ID number unmasked. The edit form opens it through
/// [`crate::access::open_for_edit`], which records the view.
pub fn elder_for_edit(replica: &Replica, elder_id: &str) -> Result<Elder> {
    current_elder(replica, elder_id)
}
