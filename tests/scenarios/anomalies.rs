//! The county's checks across stations: each planted anomaly is found, nothing else is called one.

use chrono::NaiveDate;
use xianglin_demo::SMALL_TOWNSHIP;
use xianglin_domain::meals;
use xianglin_domain::query;
use xianglin_domain::registry;
use xianglin_domain::review::anomalies::county_anomalies;
use xianglin_schema::api::{CountyAnomaliesRequest, CountyAnomalyKind, MealRosterRequest};
use xianglin_schema::due::DueReason;
use xianglin_schema::elder::{LifeState, LifeStatus};
use xianglin_schema::meal::MealSlot;
use xianglin_sync::Error;
use xianglin_sync::ShardId;
use xianglin_sync::shard::Month;

use crate::support::{small_demo_replica, visit};
use xianglin_domain::patrol::store_visit;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn each_planted_anomaly_is_found_and_every_coverage_gap_is_real() {
    let mut replica = small_demo_replica(1);
    let points = meals::meal_points(&replica, SMALL_TOWNSHIP).unwrap();
    assert!(points.len() >= 2, "the demo township has two points");
    let (point, other_point) = (&points[0].point, &points[1].point);
    let roster =
        meals::roster(&replica, &MealRosterRequest { point_id: point.id.clone(), date: day("2026-11-18") }).unwrap();
    let lunchers: Vec<_> = roster.rows.iter().filter(|row| row.cells.contains_key(&MealSlot::Lunch)).collect();
    assert!(lunchers.len() >= 4, "lunches on the 18th");

    // A diner who died on the 10th, yet a visit (the device had not heard) and meals came after.
    let dead = lunchers[0].elder_id.clone();
    let late_visit = {
        let elder = registry::elder_for_edit(&replica, &dead).unwrap();
        store_visit(&mut replica, visit(&elder, day("2026-11-19").and_hms_opt(9, 0, 0).unwrap(), Default::default()))
            .unwrap()
    };
    registry::set_life_status(
        &mut replica,
        &dead,
        LifeStatus { state: LifeState::Deceased, date: Some(day("2026-11-10")), moved_to: None },
    )
    .unwrap();

    // A lunch on the 18th recorded at the other point too, by a computer that did not know.
    let claimed = lunchers[1].clone();
    let month = Month::of(day("2026-11-18"));
    let original = claimed.cells[&MealSlot::Lunch].meal_id.clone();
    let mut copy =
        replica.read_record(&ShardId::meals(SMALL_TOWNSHIP, &point.id, month), &original).unwrap().unwrap().value;
    let copy_id = xianglin_schema::record::new_id();
    copy["id"] = copy_id.clone().into();
    copy["point_id"] = other_point.id.clone().into();
    let author = replica.author();
    replica
        .commit(&ShardId::meals(SMALL_TOWNSHIP, &other_point.id, month), &[(copy_id.clone(), copy)], &author)
        .unwrap();

    // A visit recorded by a caseworker of another village.
    let visited = registry::elder_for_edit(&replica, &lunchers[2].elder_id).unwrap();
    let village_name = query::elder_detail(&replica, &visited.id).unwrap().village_name;
    let stranger = query::caseworkers(&replica, Some(SMALL_TOWNSHIP))
        .unwrap()
        .into_iter()
        .find(|caseworker| !caseworker.villages.contains(&village_name))
        .expect("a caseworker of other villages");
    let mut outside = visit(&visited, day("2026-11-17").and_hms_opt(15, 0, 0).unwrap(), Default::default());
    outside.visitor_id = stranger.id.clone();
    let outside = store_visit(&mut replica, outside).unwrap();

    // An elder whose recent visits were all voided (entered by mistake).
    // One visited monthly or more often, so that three months without a visit are two periods.
    let forgotten = lunchers[3..]
        .iter()
        .find(|row| {
            let due = query::elder_detail(&replica, &row.elder_id).unwrap().next_due;
            matches!(due.map(|due| due.reason), Some(DueReason::Interval { days, .. }) if days <= 45)
        })
        .expect("a diner visited monthly")
        .elder_id
        .clone();
    let village = registry::elder_for_edit(&replica, &forgotten).unwrap().village_code;
    for row in query::elder_detail(&replica, &forgotten).unwrap().recent_visits {
        let shard = ShardId::Visits { village: village.clone(), month: Month::of(day(&row.visited_at[..10])) };
        replica.void(&shard, &row.id, "录入错误").unwrap();
    }
    assert!(query::elder_detail(&replica, &forgotten).unwrap().recent_visits.is_empty());

    let request = CountyAnomaliesRequest { place_code: None, month: "2026-11".into() };
    let found = county_anomalies(&mut replica, &request).unwrap();
    let of = |kind: CountyAnomalyKind| found.rows.iter().filter(move |row| row.kind == kind);

    let after_death: Vec<_> = of(CountyAnomalyKind::VisitAfterDeath).collect();
    assert_eq!(after_death.len(), 1, "{after_death:?}");
    assert_eq!(after_death[0].record_id, late_visit.id);
    assert_eq!(after_death[0].date, Some(day("2026-11-19")));
    assert!(after_death[0].detail.contains("2026-11-10"));

    let meals_after: Vec<_> = of(CountyAnomalyKind::MealAfterLifeEnd).collect();
    assert!(!meals_after.is_empty());
    assert!(meals_after.iter().all(|row| row.elder_id == dead && row.date > Some(day("2026-11-10"))));
    assert!(meals_after.iter().any(|row| row.date == Some(day("2026-11-18"))));

    let doubles: Vec<&str> = of(CountyAnomalyKind::DoubleMealClaim).map(|row| row.record_id.as_str()).collect();
    assert_eq!(doubles.len(), 2, "{doubles:?}");
    assert!(doubles.contains(&original.as_str()) && doubles.contains(&copy_id.as_str()));

    let outsiders: Vec<_> = of(CountyAnomalyKind::VisitOutsidePlaces).collect();
    assert_eq!(outsiders.len(), 1, "{outsiders:?}");
    assert_eq!(outsiders[0].record_id, outside.id);
    assert!(outsiders[0].detail.contains(&stranger.name));

    // Every coverage gap is an active elder whose last visit is the one shown, long enough ago;
    // the elder whose recent visits were voided is one, the elders just visited are not.
    let end = day("2026-11-20"); // the scenario's today
    let gaps: Vec<_> = of(CountyAnomalyKind::CoverageGap).collect();
    for gap in &gaps {
        let detail = query::elder_detail(&replica, &gap.elder_id).unwrap();
        assert_eq!(detail.elder.life.state, LifeState::Active, "{}", gap.elder_name);
        let last = detail.recent_visits.iter().map(|visit| day(&visit.visited_at[..10])).max();
        assert_eq!(gap.date, last, "{}", gap.elder_name);
        assert!(last.is_none_or(|last| (end - last).num_days() > 14), "{}", gap.elder_name);
    }
    assert!(gaps.iter().any(|gap| gap.elder_id == forgotten), "{gaps:?}");
    assert!(!gaps.iter().any(|gap| gap.elder_id == visited.id || gap.elder_id == dead));
    println!("findings: {:?}", found.counts.iter().map(|count| (count.kind, count.count)).collect::<Vec<_>>());
    for count in &found.counts {
        assert_eq!(count.count as usize, of(count.kind).count());
    }

    // A township's checks are the county's within it; a month that is not one is refused.
    let township = county_anomalies(
        &mut replica,
        &CountyAnomaliesRequest { place_code: Some(SMALL_TOWNSHIP.into()), month: "2026-11".into() },
    )
    .unwrap();
    assert_eq!(township.rows, found.rows);
    let refused = county_anomalies(&mut replica, &CountyAnomaliesRequest { place_code: None, month: "2026-13".into() });
    assert!(matches!(refused, Err(Error::Problems(_))));
}
