//! The county's checks over every station's synced data for a month: visits after an elder's
//! death, meals after a death or move and meals claimed twice (the meal checks, over every point
//! at once), visits recorded by someone whose places do not include the village, and active
//! elders with no visit for two of their visit tier's periods.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::params;
use xianglin_schema::api::{
    CountyAnomalies, CountyAnomaliesRequest, CountyAnomaly, CountyAnomalyCount, CountyAnomalyKind, MealAnomalyKind,
};
use xianglin_schema::due;
use xianglin_schema::elder::Elder;
use xianglin_schema::problem::{Problem, Rule};

use crate::meals;
use xianglin_sync::Error;
use xianglin_sync::Replica;
use xianglin_sync::Result;
use xianglin_sync::shard::Month;

const KINDS: [CountyAnomalyKind; 5] = [
    CountyAnomalyKind::VisitAfterDeath,
    CountyAnomalyKind::MealAfterLifeEnd,
    CountyAnomalyKind::DoubleMealClaim,
    CountyAnomalyKind::VisitOutsidePlaces,
    CountyAnomalyKind::CoverageGap,
];

/// Every check over `request.month` within `request.place_code`, findings ordered by kind,
/// township, village and date.
pub fn county_anomalies(replica: &mut Replica, request: &CountyAnomaliesRequest) -> Result<CountyAnomalies> {
    let month: Month =
        request.month.parse().map_err(|_| Error::Problems(vec![Problem::new("month", "核查月份", Rule::Date)]))?;
    let prefix = crate::lookup::place_prefix(request.place_code.as_deref())?;
    let places = place_names(replica)?;
    let mut rows = Vec::new();
    visits_after_death(replica, &prefix, month, &places, &mut rows)?;
    meal_anomalies(replica, &prefix, month, &places, &mut rows)?;
    visits_outside_places(replica, &prefix, month, &places, &mut rows)?;
    coverage_gaps(replica, &prefix, month, &places, &mut rows)?;
    rows.sort_by(|a, b| {
        (a.kind, &a.township_name, &a.village_name, a.date, &a.elder_name, &a.record_id).cmp(&(
            b.kind,
            &b.township_name,
            &b.village_name,
            b.date,
            &b.elder_name,
            &b.record_id,
        ))
    });
    let counts = KINDS
        .into_iter()
        .map(|kind| CountyAnomalyCount { kind, count: rows.iter().filter(|row| row.kind == kind).count() as u32 })
        .collect();
    Ok(CountyAnomalies { month: month.to_string(), rows, counts })
}

/// Place names by code.
fn place_names(replica: &Replica) -> Result<HashMap<String, String>> {
    let mut statement = replica.connection().prepare_cached("SELECT code, name FROM places")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn finding(
    kind: CountyAnomalyKind,
    places: &HashMap<String, String>,
    village_code: &str,
    (record_id, elder_id, elder_name): (String, String, String),
    date: Option<NaiveDate>,
    detail: String,
) -> CountyAnomaly {
    let name = |code: &str| places.get(code).cloned().unwrap_or_default();
    let township = village_code.get(..9).map(|head| format!("{head}000")).unwrap_or_default();
    CountyAnomaly {
        kind,
        record_id,
        elder_id,
        elder_name,
        village_name: name(village_code),
        township_name: name(&township),
        date,
        detail,
    }
}

fn date_of(text: &str) -> Option<NaiveDate> {
    text.get(..10).and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
}

fn month_bounds(month: Month) -> (String, String) {
    (month.first_day().to_string(), format!("{}T23:59:59", month.last_day()))
}

fn visits_after_death(
    replica: &Replica,
    prefix: &str,
    month: Month,
    places: &HashMap<String, String>,
    rows: &mut Vec<CountyAnomaly>,
) -> Result<()> {
    let (from, to) = month_bounds(month);
    let mut statement = replica.connection().prepare_cached(
        "SELECT v.id, v.elder_id, e.name, v.village_code, v.visited_at, e.life_date
         FROM visits v JOIN elders e ON e.id = v.elder_id AND e.voided = 0 AND e.life_state = 'deceased'
         WHERE v.voided = 0 AND v.village_code LIKE ?1 || '%' AND v.visited_at BETWEEN ?2 AND ?3
           AND e.life_date IS NOT NULL AND substr(v.visited_at, 1, 10) > e.life_date",
    )?;
    let found = statement
        .query_map(params![prefix, from, to], |row| {
            Ok((
                (row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?),
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (who, village, visited_at, died) in found {
        let detail = format!("老人已于{died}去世，此后不应有探访记录");
        rows.push(finding(CountyAnomalyKind::VisitAfterDeath, places, &village, who, date_of(&visited_at), detail));
    }
    Ok(())
}

/// The meal checks over every point of the place at once, so a claim at two points is one
/// elder's two meals, each shown.
fn meal_anomalies(
    replica: &mut Replica,
    prefix: &str,
    month: Month,
    places: &HashMap<String, String>,
    rows: &mut Vec<CountyAnomaly>,
) -> Result<()> {
    let township_prefix = prefix.get(..prefix.len().min(9)).unwrap_or_default().to_owned();
    let point_ids: Vec<String> = {
        let mut statement = replica.connection().prepare_cached(
            "SELECT id FROM meal_points WHERE voided = 0 AND township_code LIKE ?1 || '%' ORDER BY id",
        )?;
        statement.query_map([&township_prefix], |row| row.get(0))?.collect::<Result<_, _>>()?
    };
    if point_ids.is_empty() {
        return Ok(());
    }
    let found = meals::checks(replica, &point_ids, month)?;
    let ids: Vec<&String> = found.iter().map(|anomaly| &anomaly.elder_id).collect();
    let elders = meals::life_of(replica, &ids)?;
    for anomaly in found {
        let kind = match anomaly.kind {
            MealAnomalyKind::AfterLifeEnd => CountyAnomalyKind::MealAfterLifeEnd,
            MealAnomalyKind::DoubleClaim => CountyAnomalyKind::DoubleMealClaim,
            _ => continue,
        };
        let village = elders.get(&anomaly.elder_id).map(|elder| elder.village_code.clone()).unwrap_or_default();
        if !village.starts_with(prefix) && prefix.len() > 9 {
            continue;
        }
        let detail = format!("{}：{}", anomaly.point_name, anomaly.detail);
        let who = (anomaly.meal_id, anomaly.elder_id, anomaly.elder_name);
        rows.push(finding(kind, places, &village, who, Some(anomaly.date), detail));
    }
    Ok(())
}

/// Whether a place code covers a village: the county its first 6 digits, a township its first 9.
fn covers(place: &str, village: &str) -> bool {
    match xianglin_schema::place::level_of(place) {
        Some(xianglin_schema::place::PlaceLevel::County) => village.starts_with(&place[..6]),
        Some(xianglin_schema::place::PlaceLevel::Township) => village.starts_with(&place[..9]),
        _ => place == village,
    }
}

fn visits_outside_places(
    replica: &Replica,
    prefix: &str,
    month: Month,
    places: &HashMap<String, String>,
    rows: &mut Vec<CountyAnomaly>,
) -> Result<()> {
    let users: HashMap<String, (String, Vec<String>)> = {
        let mut statement =
            replica.connection().prepare_cached("SELECT id, name, places FROM users WHERE voided = 0")?;
        let found = statement
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        found
            .into_iter()
            .map(|(id, name, places)| (id, (name, serde_json::from_str(&places).unwrap_or_default())))
            .collect()
    };
    let (from, to) = month_bounds(month);
    let mut statement = replica.connection().prepare_cached(
        "SELECT v.id, v.elder_id, coalesce((SELECT e.name FROM elders e WHERE e.id = v.elder_id LIMIT 1), ''),
                v.village_code, v.visited_at, v.visitor_id
         FROM visits v
         WHERE v.voided = 0 AND v.village_code LIKE ?1 || '%' AND v.visited_at BETWEEN ?2 AND ?3",
    )?;
    let found = statement
        .query_map(params![prefix, from, to], |row| {
            Ok((
                (row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?),
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (who, village, visited_at, visitor) in found {
        // A visitor the county does not know (an older device's user) is not judged here.
        let Some((name, visitor_places)) = users.get(&visitor) else { continue };
        if visitor_places.iter().any(|place| covers(place, &village)) {
            continue;
        }
        let detail = format!("探访人{name}负责的地区不含此村");
        rows.push(finding(CountyAnomalyKind::VisitOutsidePlaces, places, &village, who, date_of(&visited_at), detail));
    }
    Ok(())
}

fn coverage_gaps(
    replica: &Replica,
    prefix: &str,
    month: Month,
    places: &HashMap<String, String>,
    rows: &mut Vec<CountyAnomaly>,
) -> Result<()> {
    // The current month is judged as of today, not its last day.
    let end = month.last_day().min(replica.today());
    let policies = crate::lookup::policies(replica)?;
    let Some(policy) = xianglin_schema::policy::in_force(&policies, end) else { return Ok(()) };
    // Elders active through the month's end, each with their last visit up to then.
    let to = format!("{end}T23:59:59");
    let mut statement = replica.connection().prepare_cached(
        "SELECT e.body,
                (SELECT max(v.visited_at) FROM visits v WHERE v.elder_id = e.id AND v.voided = 0 AND v.visited_at <= ?2)
         FROM elders e
         WHERE e.voided = 0 AND e.village_code LIKE ?1 || '%'
           AND (e.life_state = 'active' OR e.life_date > substr(?2, 1, 10))",
    )?;
    let found = statement
        .query_map(params![prefix, to], |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    for (body, last) in found {
        let elder: Elder = serde_json::from_str(&body)?;
        let categories = elder.categories_on(end);
        let Some(tier) =
            policy.visit_tiers.iter().find(|tier| tier.matches(elder.age_on(end), &categories, elder.economic_status))
        else {
            continue;
        };
        // Two of the tier's periods without a visit, counted from the last visit (or from
        // registration for an elder never visited).
        let last = last.as_deref().and_then(date_of);
        let since = last.unwrap_or_else(|| due::registered_on(&elder));
        let periods = 2 * i64::from(tier.interval_days);
        if (end - since).num_days() <= periods {
            continue;
        }
        let detail = match last {
            Some(last) => format!("{}要求每{}天探访，最近一次在{last}，已超过两个周期", tier.name, tier.interval_days),
            None => format!("{}要求每{}天探访，{since}登记以来从未探访", tier.name, tier.interval_days),
        };
        let who = (elder.id.clone(), elder.id.clone(), elder.name.clone());
        rows.push(finding(CountyAnomalyKind::CoverageGap, places, &elder.village_code, who, last, detail));
    }
    Ok(())
}
