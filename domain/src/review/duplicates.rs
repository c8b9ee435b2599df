//! Elders registered twice, county-wide: suspected pairs with a score, and the reviewer's
//! decisions on them. Merging folds one elder into the other for every device (see
//! [`xianglin_sync::merges`] for how the projection reads it); marking a pair as two people stops it
//! being suggested. Both are records of the county document, written only by a county role,
//! and undone by voiding them, so every decision and its undoing stays in the history.

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, params};
use xianglin_schema::api::{
    DecideDuplicate, DuplicateDecisionRow, DuplicateElder, DuplicatePair, DuplicateReason, DuplicatesPage,
    UndoDuplicateDecision,
};
use xianglin_schema::duplicate::{DuplicateDecision, DuplicateVerdict};
use xianglin_schema::id_number;
use xianglin_schema::problem::{Problem, Rule};
use xianglin_schema::record::{RecordMeta, new_id};
use xianglin_schema::user::Role;

use crate::lookup::{county, minutes};
use crate::lookup::{place_name, user_name, user_role};
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::projection::county_key;
use xianglin_sync::shard::ShardId;

/// One registered elder as the comparison sees them.
struct Registered {
    id: String,
    name: String,
    pinyin: String,
    id_number: String,
    birth_date: String,
    village_code: String,
    created_at: String,
}

/// The suspected pairs among every elder on this replica (merged ones excluded, pairs marked
/// as two people left out), the most alike first, and every decision taken.
pub fn duplicates(replica: &Replica) -> Result<DuplicatesPage> {
    let elders = registered(replica)?;
    let distinct = distinct_pairs(replica)?;
    let mut by_id_number: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_person: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    for (index, elder) in elders.iter().enumerate() {
        by_id_number.entry(&elder.id_number).or_default().push(index);
        by_person.entry((&elder.pinyin, &elder.birth_date, &elder.village_code)).or_default().push(index);
    }
    let mut found: Vec<(usize, usize, u32, DuplicateReason, String)> = Vec::new();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let groups = by_id_number.values().chain(by_person.values()).filter(|group| group.len() > 1);
    for group in groups {
        for (position, &a) in group.iter().enumerate() {
            for &b in &group[position + 1..] {
                // The one registered first is suggested to keep.
                let (first, second) =
                    if (&elders[a].created_at, &elders[a].id) <= (&elders[b].created_at, &elders[b].id) {
                        (a, b)
                    } else {
                        (b, a)
                    };
                if !seen.insert((first, second)) || distinct.contains(&pair_key(&elders[first].id, &elders[second].id))
                {
                    continue;
                }
                let (score, reason, explanation) = likeness(replica, &elders[first], &elders[second])?;
                found.push((first, second, score, reason, explanation));
            }
        }
    }
    found.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then_with(|| elders[a.0].village_code.cmp(&elders[b.0].village_code))
            .then_with(|| elders[a.0].pinyin.cmp(&elders[b.0].pinyin))
    });
    let mut pairs = Vec::with_capacity(found.len());
    for (first, second, score, reason, explanation) in found {
        pairs.push(DuplicatePair {
            first: duplicate_elder(replica, &elders[first].id)?,
            second: duplicate_elder(replica, &elders[second].id)?,
            score,
            reason,
            explanation,
        });
    }
    Ok(DuplicatesPage { elders_checked: elders.len() as u32, pairs, decisions: decisions(replica)? })
}

/// Merges one elder into another, or records that two are different people; answers with the
/// page as it now reads. Only a county reviewer decides; both elders must be registered and
/// not merged already.
pub fn decide(replica: &mut Replica, request: &DecideDuplicate) -> Result<DuplicatesPage> {
    if user_role(replica)? != Some(Role::CountyReviewer) {
        return Err(Error::Problems(vec![crate::not_permitted("verdict", "只有县级审核员可以合并重复登记的老人")]));
    }
    let mut problems = Vec::new();
    if request.kept_id == request.merged_id {
        problems.push(crate::refused_now("merged_id", "不能把老人与自己合并"));
    }
    for (field, id) in [("kept_id", &request.kept_id), ("merged_id", &request.merged_id)] {
        if !is_registered(replica, id)? {
            problems.push(crate::refused_now(field, "该老人不在台账中，或已被合并、作废，请刷新后再试"));
        }
    }
    if request.note.chars().count() > 200 {
        problems.push(Problem::new("note", "说明", Rule::TooLong));
    }
    if request.verdict == DuplicateVerdict::Distinct
        && distinct_pairs(replica)?.contains(&pair_key(&request.kept_id, &request.merged_id))
    {
        problems.push(crate::refused_now("verdict", "这两位老人已确认为不同的人"));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    let decision = DuplicateDecision {
        id: new_id(),
        verdict: request.verdict,
        kept_id: request.kept_id.clone(),
        merged_id: request.merged_id.clone(),
        note: request.note.trim().to_owned(),
        meta: RecordMeta::created(replica.now(), replica.user_id()),
    };
    let shard = ShardId::county(&county(replica)?.code);
    replica.commit_record(&shard, county_key("duplicate", &decision.id), &decision)?;
    tracing::info!(decision = %decision.id, verdict = ?decision.verdict, "duplicate decision recorded");
    duplicates(replica)
}

/// Undoes a decision: a merged elder comes back with their own records, a pair marked as two
/// people is suggested again. The decision stays, voided, with who undid it and why.
pub fn undo(replica: &mut Replica, request: &UndoDuplicateDecision) -> Result<DuplicatesPage> {
    if user_role(replica)? != Some(Role::CountyReviewer) {
        return Err(Error::Problems(vec![crate::not_permitted("id", "只有县级审核员可以撤销合并")]));
    }
    if request.reason.trim().is_empty() {
        return Err(Error::Problems(vec![Problem::new("reason", "撤销原因", Rule::Required)]));
    }
    let voided: Option<bool> = replica
        .connection()
        .query_row("SELECT voided FROM duplicate_decisions WHERE id = ?1", [&request.id], |row| row.get(0))
        .optional()?;
    match voided {
        None => return Err(Error::NotFound(format!("duplicate decision {}", request.id))),
        Some(true) => return Err(Error::Problems(vec![crate::refused_now("id", "该决定已撤销")])),
        Some(false) => {}
    }
    let shard = ShardId::county(&county(replica)?.code);
    replica.void(&shard, &county_key("duplicate", &request.id), request.reason.trim())?;
    tracing::info!(decision = %request.id, "duplicate decision undone");
    duplicates(replica)
}

/// The elders merged into `kept_id` (directly), by the merge decisions in force.
pub(crate) fn merged_into(replica: &Replica, kept_id: &str) -> Result<Vec<DuplicateElder>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT merged_id FROM duplicate_decisions WHERE kept_id = ?1 AND verdict = 'merge' AND voided = 0 ORDER BY id",
    )?;
    let ids = statement.query_map([kept_id], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    ids.iter().map(|id| duplicate_elder(replica, id)).collect()
}

/// Every elder registered here and not merged: the current entry of one who moved village.
fn registered(replica: &Replica) -> Result<Vec<Registered>> {
    let mut statement = replica.connection().prepare(
        "SELECT id, name, name_pinyin, id_number, birth_date, village_code, json_extract(body, '$.meta.created_at')
         FROM current_elders ORDER BY id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(Registered {
            id: row.get(0)?,
            name: row.get(1)?,
            pinyin: row.get(2)?,
            id_number: row.get(3)?,
            birth_date: row.get(4)?,
            village_code: row.get(5)?,
            created_at: row.get::<_, Option<String>>(6)?.unwrap_or_default(),
        })
    })?;
    let mut elders: Vec<Registered> = Vec::new();
    for row in rows {
        let row = row?;
        if elders.last().is_some_and(|last| last.id == row.id) {
            continue;
        }
        elders.push(row);
    }
    Ok(elders)
}

fn is_registered(replica: &Replica, elder_id: &str) -> Result<bool> {
    Ok(replica
        .connection()
        .prepare_cached("SELECT 1 FROM elders WHERE id = ?1 AND voided = 0 LIMIT 1")?
        .query_row([elder_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// How alike two elders are, and why, in Chinese.
fn likeness(replica: &Replica, first: &Registered, second: &Registered) -> Result<(u32, DuplicateReason, String)> {
    if first.id_number == second.id_number {
        let places = if first.village_code == second.village_code {
            "同一村".to_owned()
        } else {
            format!(
                "{}、{}",
                place_name(replica, &first.village_code)?.unwrap_or_default(),
                place_name(replica, &second.village_code)?.unwrap_or_default()
            )
        };
        return Ok(if first.name == second.name {
            (100, DuplicateReason::SameIdNumber, format!("身份证号、姓名相同（{places}各登记一次）"))
        } else {
            (90, DuplicateReason::SameIdNumber, format!("身份证号相同，姓名不同（{places}）"))
        });
    }
    let differing = first.id_number.chars().zip(second.id_number.chars()).filter(|(a, b)| a != b).count();
    let (mut score, name) = if first.name == second.name { (80, "姓名") } else { (65, "姓名拼音") };
    let id_numbers = if differing <= 2 {
        score += 10;
        format!("身份证号仅差{differing}位，疑似录入错误")
    } else {
        "身份证号不同".to_owned()
    };
    Ok((score, DuplicateReason::SameNameBirthVillage, format!("{name}、出生日期、所在村相同，{id_numbers}")))
}

/// Unordered pair key.
fn pair_key(a: &str, b: &str) -> (String, String) {
    if a <= b { (a.to_owned(), b.to_owned()) } else { (b.to_owned(), a.to_owned()) }
}

/// The pairs marked as two people, in force.
fn distinct_pairs(replica: &Replica) -> Result<HashSet<(String, String)>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT kept_id, merged_id FROM duplicate_decisions WHERE verdict = 'distinct' AND voided = 0",
    )?;
    let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
    rows.map(|row| row.map(|(a, b)| pair_key(&a, &b)).map_err(Error::from)).collect()
}

fn decisions(replica: &Replica) -> Result<Vec<DuplicateDecisionRow>> {
    let mut statement =
        replica.connection().prepare("SELECT body FROM duplicate_decisions ORDER BY decided_at DESC, id DESC")?;
    let bodies = statement.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::with_capacity(bodies.len());
    for body in bodies {
        let decision: DuplicateDecision = serde_json::from_str(&body)?;
        let name_of =
            |user: &str| -> Result<String> { Ok(user_name(replica, user)?.unwrap_or_else(|| user.to_owned())) };
        rows.push(DuplicateDecisionRow {
            kept: duplicate_elder(replica, &decision.kept_id)?,
            merged: duplicate_elder(replica, &decision.merged_id)?,
            decided_by: name_of(&decision.meta.created_by)?,
            decided_at: minutes(&decision.meta.created_at),
            undone: decision.meta.is_voided(),
            undone_by: decision.meta.voided_by.as_deref().map(name_of).transpose()?,
            undone_at: decision.meta.voided_at.as_deref().map(minutes),
            undo_reason: decision.meta.void_reason.clone(),
            id: decision.id,
            verdict: decision.verdict,
            note: decision.note,
        });
    }
    Ok(rows)
}

/// An elder as the duplicates page shows them (merged or not), with the records naming them.
fn duplicate_elder(replica: &Replica, elder_id: &str) -> Result<DuplicateElder> {
    let connection = replica.connection();
    let elder = crate::lookup::elder_including_merged(replica, elder_id)?;
    let township_code = format!("{}000", &elder.village_code[..9.min(elder.village_code.len())]);
    let mut counts = [0u32; 3];
    for (count, table) in counts.iter_mut().zip(["visits", "meals", "adaptation_cases"]) {
        *count = connection
            .prepare_cached(&format!(
                "SELECT (SELECT count(*) FROM {table} t WHERE t.elder_id = ?1 AND t.voided = 0
                           AND NOT EXISTS (SELECT 1 FROM elder_aliases a WHERE a.table_name = ?2 AND a.row_id = t.id))
                      + (SELECT count(*) FROM elder_aliases a JOIN {table} t ON t.id = a.row_id
                         WHERE a.table_name = ?2 AND a.recorded_elder_id = ?1 AND t.voided = 0)"
            ))?
            .query_row(params![elder_id, table], |row| row.get(0))?;
    }
    Ok(DuplicateElder {
        id_number_masked: id_number::mask(&elder.id_number),
        gender: elder.gender,
        birth_date: elder.birth_date.to_string(),
        village_name: place_name(replica, &elder.village_code)?.unwrap_or_default(),
        township_name: place_name(replica, &township_code)?.unwrap_or_default(),
        registered_on: elder.meta.created_at.get(..10).unwrap_or_default().to_owned(),
        registered_by: user_name(replica, &elder.meta.created_by)?.unwrap_or_default(),
        visits: counts[0],
        meals: counts[1],
        cases: counts[2],
        elder_id: elder.id,
        name: elder.name,
        village_code: elder.village_code,
        phone: elder.phone,
        address: elder.address,
        life: elder.life,
    })
}
