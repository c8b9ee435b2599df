//! The demo county and what the app shows of it, on the day the tests run: "today" is read once
//! from the one clock (`xianglin_schema::clock`) rather than fixed, so `./dev.sh test` runs this
//! module under faketime at the dates where calendars break (the 1st and the last day of a month,
//! 1 January, 29 February, 31 December at 23:59) and each run proves the demo and the pages that
//! open on it at that date.

use chrono::{Duration, NaiveDateTime};
use xianglin_demo::{self as demo, DemoOptions, DemoSize, SMALL_TOWNSHIP};
use xianglin_domain::meals;
use xianglin_domain::patrol;
use xianglin_domain::query;
use xianglin_domain::review::anomalies::county_anomalies;
use xianglin_schema::api::{
    CountyAnomaliesRequest, CountyAnomalyKind, CoverageRequest, DueListRequest, MealRosterRequest, SettlementStatus,
    TownshipSettlementsRequest,
};
use xianglin_schema::clock;
use xianglin_sync::Replica;
use xianglin_sync::replica::Clock;
use xianglin_sync::shard::Month;

/// The small demo county generated today, with the replica's clock held at the moment the test
/// read it (a run at 23:59:59 must not see two days).
fn demo_today() -> (Replica, NaiveDateTime) {
    let now = clock::now();
    let mut replica = Replica::open_in_memory().unwrap();
    replica.set_clock(Clock::Fixed(now));
    demo::generate(&mut replica, &DemoOptions { size: DemoSize::Small, seed: 1, today: now.date() }).unwrap();
    (replica, now)
}

#[test]
fn the_demo_runs_up_to_today_and_its_months_stand_where_a_station_expects() {
    let (mut replica, now) = demo_today();
    let today = now.date();
    println!("today is {today}");

    // Visits and meals run up to yesterday; nothing is recorded on or after today.
    let township = query::place_tree(&replica).unwrap().remove(0);
    let this_month = Month::of(today);
    let mut latest_visit = None;
    for village in &township.children {
        for month in [this_month.previous(), this_month] {
            for (visit, _) in patrol::village_month_visits(&replica, &village.code, month).unwrap() {
                assert!(visit.visited_at.date() < today, "a visit at {} on {today}", visit.visited_at);
                latest_visit = latest_visit.max(Some(visit.visited_at.date()));
            }
        }
    }
    let latest_visit = latest_visit.expect("the demo visits");
    assert!(latest_visit >= today - Duration::days(7), "no visit in the week before {today}: {latest_visit}");
    for point in meals::meal_points(&replica, SMALL_TOWNSHIP).unwrap() {
        let roster =
            meals::roster(&replica, &MealRosterRequest { point_id: point.point.id.clone(), date: today }).unwrap();
        assert!(roster.rows.iter().all(|row| row.cells.is_empty()), "{} has meals on {today}", point.point.name);
        let previous = roster.previous_day.expect("meals before today");
        assert!(
            previous < today && previous >= today - Duration::days(7),
            "{}: last meals on {previous}",
            point.point.name
        );
    }

    // Settlements: this month open, last month waiting for the county, the month before approved.
    for (month, expected) in [
        (this_month, SettlementStatus::Open),
        (this_month.previous(), SettlementStatus::Submitted),
        (this_month.previous().previous(), SettlementStatus::Approved),
    ] {
        let request = TownshipSettlementsRequest { township_code: SMALL_TOWNSHIP.into(), month: month.to_string() };
        let settlements = meals::township_settlements(&mut replica, &request).unwrap();
        assert!(!settlements.points.is_empty());
        for point in &settlements.points {
            assert_eq!(point.status, expected, "{} in {month}", point.point_name);
        }
    }

    // The caseworker has work today: the due list is not empty, and nothing on it is due before
    // the elder's last visit.
    let request = DueListRequest { place_code: Some(SMALL_TOWNSHIP.into()), caseworker_id: None, include_later: false };
    let due = patrol::due_list(&replica, &request, now).unwrap();
    assert!(!due.rows.is_empty(), "nobody is due on {today}");
    assert_eq!(due.rows.len() as u32, due.overdue + due.this_week + due.this_month);
}

#[test]
fn the_month_just_closed_has_findings_and_a_coverage_to_report() {
    let (mut replica, now) = demo_today();
    let closed = Month::of(now.date()).previous();

    // The checks page's end-to-end step asks for the month just closed: it must have findings.
    let request = CountyAnomaliesRequest { place_code: None, month: closed.to_string() };
    let found = county_anomalies(&mut replica, &request).unwrap();
    let total: u32 = found.counts.iter().map(|count| count.count).sum();
    println!("{closed}: {:?}", found.counts.iter().map(|count| (count.kind, count.count)).collect::<Vec<_>>());
    assert!(total > 0, "no finding in {closed}");
    // The demo plants one visit after a death there, whatever the day.
    let after_death = found.counts.iter().find(|count| count.kind == CountyAnomalyKind::VisitAfterDeath).unwrap();
    assert_eq!(after_death.count, 1, "{closed}");
    assert_eq!(total as usize, found.rows.len());
    assert!(found.rows.iter().all(|row| row.date.is_none_or(|date| Month::of(date) <= closed)));

    // Its 月探访率 counts elders due and visited, most of them visited (the demo misses a few).
    let coverage =
        patrol::coverage(&replica, &CoverageRequest { place_code: SMALL_TOWNSHIP.into(), month: closed.to_string() })
            .unwrap();
    assert!(coverage.total.due > 50, "{:?}", coverage.total);
    assert!(coverage.total.visited <= coverage.total.due);
    assert!(coverage.total.rate_per_mille >= 700, "{:?}", coverage.total);
    assert_eq!(coverage.missed.len() as u32, coverage.total.due - coverage.total.visited);
}
