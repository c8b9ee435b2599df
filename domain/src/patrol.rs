//! Patrol planning from the projection: who is due a visit and when (the due list), and how
//! many of the elders due in a month were visited (月探访率), per village and township.
//!
//! The rules themselves live in `xianglin_schema::due`; this module gathers the facts they need
//! (elders, the last visit of each, the county's policy versions) with a few set-wise queries.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use xianglin_schema::api::{
    Coverage, CoverageRequest, CoverageRow, DueBucket, DueList, DueListRequest, DueRow, MissedElder, UrgentGuidance,
    VisitDraft, VisitSaved,
};
use xianglin_schema::due::{self, Due, VisitHistory};
use xianglin_schema::elder::{Elder, LifeState, LifeStatus};
use xianglin_schema::id_number;
use xianglin_schema::place::{self, PlaceLevel};
use xianglin_schema::policy::Policy;
use xianglin_schema::problem::{Problem, Rule};
use xianglin_schema::record::{RecordMeta, format_datetime, new_id, parse_datetime};
use xianglin_schema::visit::Severity;
use xianglin_schema::visit::{Referral, ReferralStatus, Visit};

use xianglin_sync::attachments::AttachmentStore;

use crate::lookup::{current_elder, elder_life, policies};
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::shard::{Month, ShardId};

/// Emergency numbers shown with an urgent finding.
const EMERGENCY_NUMBERS: [(&str, &str); 3] = [("120", "急救"), ("110", "报警"), ("119", "火警")];

/// Records a visit as drafted by the signed-in caseworker: checks it, saves it, opens its
/// referrals, and says what to do now if a finding is urgent and when the next visit is due.
pub fn record_visit(replica: &mut Replica, attachments: &AttachmentStore, draft: VisitDraft) -> Result<VisitSaved> {
    let mut photos = BTreeMap::new();
    for sha256 in &draft.photos {
        match attachments.describe(sha256) {
            Ok(photo) => {
                photos.insert(sha256.clone(), photo);
            }
            Err(_) => {
                return Err(Error::Problems(vec![Problem::new(
                    "photos",
                    "照片（未找到，请重新添加）",
                    Rule::Required,
                )]));
            }
        }
    }
    let now = format_datetime(replica.now());
    let user = replica.user_id().to_owned();
    let referrals = draft
        .referrals
        .into_iter()
        .map(|referral| {
            (
                new_id(),
                Referral {
                    to_level: referral.to_level,
                    area: referral.area,
                    note: referral.note.trim().to_owned(),
                    status: ReferralStatus::Open,
                    opened_at: now.clone(),
                    opened_by: user.clone(),
                    status_changed_at: None,
                    status_changed_by: None,
                },
            )
        })
        .collect();
    let visit = store_visit(
        replica,
        Visit {
            id: String::new(),
            elder_id: draft.elder_id,
            village_code: String::new(),
            visited_at: draft.visited_at,
            mode: draft.mode,
            visitor_id: user,
            findings: draft.findings,
            referrals,
            major_event: draft.major_event,
            photos,
            notes: draft.notes.trim().to_owned(),
            meta: RecordMeta::default(),
        },
    )?;
    let elder = current_elder(replica, &visit.elder_id)?;
    let urgent = (visit.worst_severity() == Severity::Urgent).then(|| UrgentGuidance {
        emergency_numbers: EMERGENCY_NUMBERS
            .iter()
            .map(|(number, purpose)| ((*number).to_owned(), (*purpose).to_owned()))
            .collect(),
        supporters: elder.supporters().cloned().collect(),
    });
    let next_due = elder_due(replica, &elder, replica.now())?;
    Ok(VisitSaved { visit, urgent, next_due })
}

/// Checks a visit (`xianglin_schema::visit::validate`, against its elder's life status) and
/// writes it (new if `id` is empty) into its village's month shard; returns it as stored.
/// A visit that names no village is filed under the elder's current village.
pub fn store_visit(replica: &mut Replica, mut visit: Visit) -> Result<Visit> {
    let life = elder_life(replica, &visit.elder_id)?;
    let problems = xianglin_schema::visit::validate(&visit, replica.now(), life.as_ref().map(|(_, life)| life));
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    if let Some((village_code, _)) = life
        && visit.village_code.is_empty()
    {
        visit.village_code = village_code;
    }
    if visit.id.is_empty() {
        visit.id = new_id();
        visit.meta = RecordMeta::created(replica.now(), replica.user_id());
    }
    let shard = ShardId::visits(&visit.village_code, visit.visited_at.date());
    replica.commit_record(&shard, visit.id.clone(), &visit)?;
    Ok(visit)
}

/// When `elder`'s next visit is due as of `now`.
pub fn elder_due(replica: &Replica, elder: &Elder, now: NaiveDateTime) -> Result<Option<Due>> {
    let history = last_visits(replica, std::slice::from_ref(&elder.village_code), now)?;
    let elder_history = history.get(&elder.id).copied().unwrap_or_default();
    Ok(due::next_due(&policies(replica)?, elder, elder_history, now))
}

/// The due list of a place or a caseworker's villages as of `now`.
pub fn due_list(replica: &Replica, request: &DueListRequest, now: NaiveDateTime) -> Result<DueList> {
    let villages = match &request.caseworker_id {
        Some(caseworker) => user_villages(replica, caseworker)?,
        None => villages_of(replica, request.place_code.as_deref())?,
    };
    let policies = policies(replica)?;
    let elders = elders_in(replica, &villages)?;
    let history = last_visits(replica, &villages, now)?;
    let end_of_week = (now.date() + Duration::days(i64::from(6 - now.weekday().num_days_from_monday())))
        .and_hms_opt(23, 59, 59)
        .expect("valid time");
    let end_of_month = Month::of(now.date()).last_day().and_hms_opt(23, 59, 59).expect("valid time");
    let mut rows = Vec::new();
    for (elder, village_name) in elders {
        let elder_history = history.get(&elder.id).copied().unwrap_or_default();
        let Some(due) = due::next_due(&policies, &elder, elder_history, now) else { continue };
        let bucket = if due.due_at < now {
            DueBucket::Overdue
        } else if due.due_at <= end_of_week {
            DueBucket::ThisWeek
        } else if due.due_at <= end_of_month {
            DueBucket::ThisMonth
        } else {
            DueBucket::Later
        };
        if bucket == DueBucket::Later && !request.include_later {
            continue;
        }
        rows.push(DueRow {
            elder_id: elder.id.clone(),
            name: elder.name.clone(),
            age: elder.age_on(now.date()),
            id_number_masked: id_number::mask(&elder.id_number),
            village_code: elder.village_code.clone(),
            village_name,
            categories: elder.categories_on(now.date()),
            reason: due.reason.describe(),
            last_visit: elder_history.last_visit.map(|at| at.format("%Y-%m-%d %H:%M").to_string()),
            bucket,
            due,
        });
    }
    rows.sort_by(|first, second| {
        (!first.due.high_risk, first.bucket, first.due.tier_rank, first.due.due_at, &first.name).cmp(&(
            !second.due.high_risk,
            second.bucket,
            second.due.tier_rank,
            second.due.due_at,
            &second.name,
        ))
    });
    let count = |bucket: DueBucket| rows.iter().filter(|row| row.bucket == bucket).count() as u32;
    Ok(DueList {
        overdue: count(DueBucket::Overdue),
        this_week: count(DueBucket::ThisWeek),
        this_month: count(DueBucket::ThisMonth),
        computed_at: now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        rows,
    })
}

/// 月探访率 of a place for a month, and of each place one level below it.
///
/// An elder counts for the month if they were on the registry all month (registered before it
/// began, and not moved away or deceased before it ended) and their next visit, as of the
/// month's first moment, fell due by its end. They count as visited with at least one visit in
/// the month.
pub fn coverage(replica: &Replica, request: &CoverageRequest) -> Result<Coverage> {
    let month: Month = request.month.parse().map_err(|()| Error::Invalid(format!("month {:?}", request.month)))?;
    let villages = villages_of(replica, Some(&request.place_code))?;
    let level =
        place::level_of(&request.place_code).ok_or_else(|| Error::Invalid(format!("place {}", request.place_code)))?;
    let names = place_names(replica)?;
    let group_of = |village: &str| match level {
        PlaceLevel::Village | PlaceLevel::Township => village.to_owned(),
        _ => format!("{}000", &village[..9]),
    };
    let mut groups: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for village in &villages {
        groups.entry(group_of(village)).or_default();
    }
    let mut missed = Vec::new();
    let (mut due_total, mut visited_total) = (0, 0);
    for entry in month_entries(replica, &villages, month)? {
        let Some(due) = entry.due.filter(|_| entry.due_in_month) else { continue };
        let group = groups.entry(group_of(&entry.elder.village_code)).or_default();
        group.0 += 1;
        due_total += 1;
        if entry.visited {
            group.1 += 1;
            visited_total += 1;
        } else {
            missed.push(MissedElder {
                elder_id: entry.elder.id,
                name: entry.elder.name,
                village_name: entry.village_name,
                tier_name: due.tier_name,
            });
        }
    }
    missed.sort_by(|first, second| (&first.village_name, &first.name).cmp(&(&second.village_name, &second.name)));
    let row = |code: &str, due: u32, visited: u32| CoverageRow {
        place_code: code.to_owned(),
        place_name: names.get(code).cloned().unwrap_or_default(),
        level: place::level_of(code).unwrap_or(PlaceLevel::Village),
        due,
        visited,
        rate_per_mille: (visited * 1000).checked_div(due).unwrap_or(1000),
    };
    Ok(Coverage {
        month: month.to_string(),
        total: row(&request.place_code, due_total, visited_total),
        rows: groups.iter().map(|(code, (due, visited))| row(code, *due, *visited)).collect(),
        missed,
    })
}

/// An elder of a village in one month: whether a visit fell due, and whether they were visited.
#[derive(Debug, Clone)]
pub struct MonthEntry {
    pub elder: Elder,
    pub village_name: String,
    /// The next visit as of the month's first moment (its tier and reason).
    pub due: Option<Due>,
    /// That visit fell due within the month.
    pub due_in_month: bool,
    pub visited: bool,
}

/// The elders on the registry all month (registered before it began, and not moved away or
/// deceased before it ended) with their dues and visits: the facts coverage counts.
pub fn month_entries(replica: &Replica, villages: &[String], month: Month) -> Result<Vec<MonthEntry>> {
    let facts = MonthFacts::load(replica, villages, month.next())?;
    let mut entries = Vec::new();
    facts.each(month, |elder, village_name, due, due_in_month, visited| {
        entries.push(MonthEntry {
            elder: elder.clone(),
            village_name: village_name.to_owned(),
            due,
            due_in_month,
            visited,
        });
    });
    Ok(entries)
}

/// What coverage counts, loaded once for any number of months: the villages' elders (with the
/// day each was registered), the county's policies, and every visit in the villages before a
/// month.
pub(crate) struct MonthFacts {
    policies: Vec<Policy>,
    elders: Vec<ElderFacts>,
}

/// An elder as coverage reads them.
struct ElderFacts {
    elder: Elder,
    village_name: String,
    registered_on: NaiveDate,
    /// Their visits, oldest first: when, and whether an 紧急 finding was made.
    visits: Vec<(NaiveDateTime, bool)>,
}

impl MonthFacts {
    /// The facts for the months before `until` (exclusive).
    pub(crate) fn load(replica: &Replica, villages: &[String], until: Month) -> Result<MonthFacts> {
        // The index by village covers these columns; the rows come in village and time order,
        // so each elder's visits are sorted once gathered (an elder who moved has two villages).
        let mut statement = replica.connection().prepare_cached(
            "SELECT elder_id, visited_at, worst_severity FROM visits
             WHERE voided = 0 AND village_code IN (SELECT value FROM json_each(?1)) AND visited_at < ?2",
        )?;
        let urgent = serde_json::to_value(Severity::Urgent)?.as_str().unwrap_or_default().to_owned();
        let mut rows = statement.query((serde_json::to_string(villages)?, until.first_day().to_string()))?;
        let mut visits: HashMap<String, Vec<(NaiveDateTime, bool)>> = HashMap::new();
        while let Some(row) = rows.next()? {
            let text = |index| row.get_ref(index)?.as_str().map_err(rusqlite::Error::from);
            let (elder_id, visited_at) = (text(0)?, text(1)?);
            let Some(at) = parse_datetime(visited_at) else { continue };
            let visit = (at, text(2)? == urgent);
            match visits.get_mut(elder_id) {
                Some(elder_visits) => elder_visits.push(visit),
                None => {
                    visits.insert(elder_id.to_owned(), vec![visit]);
                }
            }
        }
        let elders = elders_in(replica, villages)?
            .into_iter()
            .map(|(elder, village_name)| {
                let mut elder_visits = visits.remove(&elder.id).unwrap_or_default();
                elder_visits.sort_unstable();
                ElderFacts { registered_on: due::registered_on(&elder), elder, village_name, visits: elder_visits }
            })
            .collect();
        Ok(MonthFacts { policies: policies(replica)?, elders })
    }

    /// Calls `count` with each elder on the registry all `month` (registered before it began,
    /// and not moved away or deceased before it ended): their next visit as of the month's
    /// first moment, whether it fell due within the month, and whether they were visited in it.
    pub(crate) fn each(&self, month: Month, mut count: impl FnMut(&Elder, &str, Option<Due>, bool, bool)) {
        let start = month.first_day().and_hms_opt(0, 0, 0).expect("midnight exists");
        let end = month.next().first_day().and_hms_opt(0, 0, 0).expect("midnight exists");
        let before = start - Duration::seconds(1);
        for ElderFacts { elder, village_name, registered_on, visits } in &self.elders {
            let registered_before = *registered_on < month.first_day();
            let gone_before_end =
                elder.life.state != LifeState::Active && elder.life.date.is_none_or(|date| date < end.date());
            if !registered_before || gone_before_end {
                continue;
            }
            let seen = visits.partition_point(|(at, _)| *at <= before);
            let history = visits[..seen]
                .last()
                .map(|(at, urgent)| VisitHistory { last_visit: Some(*at), last_visit_urgent: *urgent })
                .unwrap_or_default();
            let visited = visits[seen..].iter().any(|(at, _)| *at >= start && *at < end);
            // Judge the month as if the elder were still here (they were, all of it).
            let due = if elder.life.state == LifeState::Active {
                due::next_due(&self.policies, elder, history, start)
            } else {
                let mut on_registry = elder.clone();
                on_registry.life = LifeStatus::default();
                due::next_due(&self.policies, &on_registry, history, start)
            };
            let due_in_month = due.as_ref().is_some_and(|due| due.due_at < end);
            count(elder, village_name, due, due_in_month, visited);
        }
    }
}

/// The visits of a village in a month, oldest first, with the visitor's name.
pub fn village_month_visits(replica: &Replica, village_code: &str, month: Month) -> Result<Vec<(Visit, String)>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT s.body, coalesce(u.name, '') FROM visits s LEFT JOIN users u ON u.id = s.visitor_id
         WHERE s.voided = 0 AND s.shard = ?1 ORDER BY s.visited_at",
    )?;
    let shard = ShardId::Visits { village: village_code.to_owned(), month }.to_string();
    let rows = statement.query_map([shard], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
    rows.map(|row| {
        let (body, visitor) = row?;
        Ok((serde_json::from_str(&body)?, visitor))
    })
    .collect()
}

/// The village codes under a village, township or county code (every village for `None`), of
/// the signed-in person's places only (`lookup::user_scope`).
pub(crate) fn villages_of(replica: &Replica, place_code: Option<&str>) -> Result<Vec<String>> {
    let prefix = crate::lookup::place_prefix(place_code)?;
    let mut statement = replica
        .connection()
        .prepare_cached("SELECT code FROM places WHERE level = 'village' AND code LIKE ?1 || '%' ORDER BY code")?;
    let mut codes = statement.query_map([prefix], |row| row.get(0))?.collect::<Result<Vec<String>, _>>()?;
    // Only the signed-in person's villages: a township's lists and coverage narrow to them.
    if let Some(prefixes) = crate::lookup::scope_prefixes(replica)? {
        codes.retain(|village| prefixes.iter().any(|prefix| village.starts_with(prefix.as_str())));
    }
    Ok(codes)
}

/// The villages a caseworker works for.
fn user_villages(replica: &Replica, user_id: &str) -> Result<Vec<String>> {
    let places: String = replica
        .connection()
        .query_row("SELECT places FROM users WHERE id = ?1", [user_id], |row| row.get(0))
        .map_err(|_| Error::NotFound(format!("user {user_id}")))?;
    let places: Vec<String> = serde_json::from_str(&places)?;
    let mut villages = Vec::new();
    for place_code in places {
        villages.extend(villages_of(replica, Some(&place_code))?);
    }
    Ok(villages)
}

/// The elders (not voided; an elder who moved village appears where they are now) of the
/// villages, with their village's name.
fn elders_in(replica: &Replica, villages: &[String]) -> Result<Vec<(Elder, String)>> {
    let mut statement = replica.connection().prepare_cached(
        "SELECT e.body, coalesce(v.name, '') FROM elders e LEFT JOIN places v ON v.code = e.village_code
         WHERE e.voided = 0 AND e.village_code IN (SELECT value FROM json_each(?1)) ORDER BY e.village_code, e.name_pinyin",
    )?;
    let rows = statement.query_map([serde_json::to_string(villages)?], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut elders = Vec::new();
    let mut seen = HashSet::new();
    for row in rows {
        let (body, village_name) = row?;
        let elder: Elder = serde_json::from_str(&body)?;
        if elder.life.state == LifeState::Moved
            && elder.life.moved_to.as_deref().is_some_and(|to| villages.iter().any(|code| code == to))
        {
            continue;
        }
        if seen.insert(elder.id.clone()) {
            elders.push((elder, village_name));
        }
    }
    Ok(elders)
}

/// Each elder's last visit up to `until` (inclusive), and whether it found something urgent.
fn last_visits(replica: &Replica, villages: &[String], until: NaiveDateTime) -> Result<HashMap<String, VisitHistory>> {
    // SQLite takes the bare columns of an aggregate with max() from the row holding the maximum.
    let mut statement = replica.connection().prepare_cached(
        "SELECT elder_id, max(visited_at), worst_severity FROM visits
         WHERE voided = 0 AND village_code IN (SELECT value FROM json_each(?1)) AND visited_at <= ?2
         GROUP BY elder_id",
    )?;
    let until = until.format("%Y-%m-%dT%H:%M:%S").to_string();
    let rows = statement.query_map((serde_json::to_string(villages)?, until), |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
    })?;
    let urgent = serde_json::to_value(Severity::Urgent)?.as_str().unwrap_or_default().to_owned();
    let mut history = HashMap::new();
    for row in rows {
        let (elder_id, visited_at, severity) = row?;
        let last_visit = parse_datetime(&visited_at);
        history.insert(elder_id, VisitHistory { last_visit, last_visit_urgent: severity == urgent });
    }
    Ok(history)
}

pub(crate) fn place_names(replica: &Replica) -> Result<HashMap<String, String>> {
    let mut statement = replica.connection().prepare_cached("SELECT code, name FROM places")?;
    let names = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<HashMap<_, _>, _>>()?;
    Ok(names)
}
